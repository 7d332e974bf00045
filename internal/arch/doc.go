// Package arch holds the test that keeps the code to the arrows of
// DESIGN.md: cmd → gateway → runtime → integrations → {asl, store}; asl
// imports nothing of ours, store no engine and no HTTP. It has no code of
// its own.
package arch
