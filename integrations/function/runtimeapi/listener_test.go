package runtimeapi

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLimitListenerHoldsConnectionsToItsBound(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := newLimitListener(ln, 2)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	dial()
	dial() // queued by the kernel, not accepted
	a, err := l.Accept()
	require.NoError(t, err)
	_, err = l.Accept()
	require.NoError(t, err)
	require.Len(t, l.sem, 2, "both places taken")

	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Close()
		}
		accepted <- err
	}()
	require.NoError(t, a.Close())
	require.NoError(t, <-accepted, "a closed connection makes room for the next")
	_ = a.Close()
	require.Len(t, l.sem, 1, "a second Close gives no place back twice")

	blocked := make(chan error, 1)
	go func() {
		_, err := l.Accept()
		blocked <- err
	}()
	require.NoError(t, l.Close())
	require.ErrorIs(t, <-blocked, net.ErrClosed, "Close ends a waiting Accept")
}
