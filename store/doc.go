// Package store will hold Signalbox's Redis layer: the key layout, the Lua
// scripts of every transition, the embedded default server and the
// connection options. It arrives with the durable runtime (milestone M3);
// nothing uses it yet.
package store
