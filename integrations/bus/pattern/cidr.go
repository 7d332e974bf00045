package pattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseCIDR validates a "cidr" operand as AWS does: one '/', integer mask
// bits within the family's width, a standard IPv4 or IPv6 address (no
// zone). The prefix is masked: 10.0.0.7/24 is 10.0.0.0/24.
func parseCIDR(s string) (netip.Prefix, *Error) {
	ip, bits, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(bits, "/") {
		return netip.Prefix{}, invalid("Malformed CIDR, one '/' required")
	}
	n, err := strconv.Atoi(bits)
	if err != nil || bits == "" || bits[0] == '+' {
		return netip.Prefix{}, invalid("Malformed CIDR, mask bits must be an integer")
	}
	addr, ok := ipAddress(ip)
	if !ok {
		return netip.Prefix{}, invalid("Nonstandard IP address: " + ip)
	}
	if n < 0 || n > addr.BitLen() {
		return netip.Prefix{}, invalid("Malformed CIDR, mask bits must be between 0 and " + strconv.Itoa(addr.BitLen()))
	}
	return netip.PrefixFrom(addr, n).Masked(), nil
}

// ipAddress parses an event's (or a pattern's) string as an IP address:
// dotted-quad IPv4 or IPv6 without a zone. An IPv4-mapped IPv6 address is
// its IPv4 address, as Java's InetAddress (AWS's matcher) reads it.
func ipAddress(s string) (netip.Addr, bool) {
	if len(s) < 2 || len(s) > 45 || strings.ContainsRune(s, '%') {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
