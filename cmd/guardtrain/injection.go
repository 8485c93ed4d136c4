package main

import "errors"

// trainInjection is not written yet (issue 14).
func trainInjection(data, out, evalOut string) error { return errors.New("injection: not written yet") }
