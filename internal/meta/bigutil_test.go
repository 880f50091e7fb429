package meta

import "math/big"

func bigInt(n int) *big.Int { return big.NewInt(int64(n)) }

func bigMul(x *big.Int, n int) *big.Int { return new(big.Int).Mul(x, bigInt(n)) }
