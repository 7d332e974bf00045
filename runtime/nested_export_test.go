package runtime

// KindNotify is the kind of the work item that tells a nested execution's
// parent it ended (nested.go), for the crash tests.
const KindNotify = kindNotify
