package runtime

import "github.com/signalbox/signalbox/store"

// StoreOf is the store a Durable runs on, for the package's external tests
// that inspect or damage stored records directly.
func StoreOf(d *Durable) *store.Client { return d.store }
