package clock

import "time"

// Test files are not checked.
var testStart = time.Now()
