package kinesisapi

// The *_gen.go files are generated from botocore's model of the Kinesis API,
// kinesis/2013-12-02/service-2.json(.gz) in the data directory of the Python
// package botocore (pip install botocore, or Debian's python3-botocore; the
// exact model is identified by ModelSHA256). apigen finds it through
// -botocore, $BOTOCORE_DATA or the python3 on PATH. apigen.json holds facts
// about AWS's messages that the model lacks (see VALIDATION.md).
// TestGeneratedCodeIsCurrent checks the committed code against the model
// when the same model is present on the machine.

//go:generate go run ../tools/apigen -service kinesis/2013-12-02 -package kinesisapi -overrides apigen.json -out .
