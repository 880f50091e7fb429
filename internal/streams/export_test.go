package streams

// ActiveSubscriptions counts the live SubscribeToShard subscriptions (tests
// wait for a subscription the client left to be released).
func ActiveSubscriptions(s *Service) int { return s.fan.active() }
