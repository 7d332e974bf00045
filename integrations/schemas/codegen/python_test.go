package codegen

import (
	"path/filepath"
	"testing"
)

// TestPythonBindings compiles every file of the schemas' Python bindings
// (py_compile, and ast with Python 3.6's grammar) and runs a round trip of each event: unmarshall, check the
// typed attributes, marshall, compare.
func TestPythonBindings(t *testing.T) {
	t.Parallel()
	py := tool(t, "python3")
	dir := t.TempDir()
	files := writeBindings(t, Python36, dir)
	run(t, dir, nil, py, append([]string{"-m", "py_compile"}, files...)...)
	// The grammar of Python 3.6 (ast's feature_version, best effort: it
	// knows the syntax added since, such as the walrus and positional-only
	// parameters), as the machine's python3 is newer.
	run(t, dir, nil, py, append([]string{"-c", pyGrammar36}, files...)...)
	script := filepath.Join(dir, "roundtrip.py")
	writeFile(t, script, pythonMain)
	roundTrip(t, dir, nil, py, script)
}

const pyGrammar36 = `import ast, sys
for f in sys.argv[1:]:
    with open(f, encoding='utf-8') as src:
        ast.parse(src.read(), f, feature_version=(3, 6))
`

const pythonMain = `import datetime
import sys

from schema.com_example_shop.orderplaced import AWSEvent, Marshaller, OrderPlaced
from schema.shipmentdelivered import AWSEvent as ShipEvent, Marshaller as ShipMarshaller


def check(ok, what):
    if not ok:
        sys.stderr.write('check failed: %s\n' % what)
        sys.exit(1)


with open(sys.argv[1], encoding='utf-8') as f:
    e = Marshaller.unmarshall(f.read(), AWSEvent)
d = e.detail
check(isinstance(d, OrderPlaced), 'detail type')
check(e.source == 'com.example.shop' and e.detail_type == 'Order Placed' and e.time.minute == 30, 'envelope')
check(d.order_id == 'o-1' and d.class_ == 'premium' and d._2fa is True, 'strings, 2fa')
check(type(d.quantity) is int and d.quantity == 3 and type(d.total) is float and d.total == 41.5, 'quantity, total')
check(isinstance(d.placed_at, datetime.datetime) and d.placed_at.microsecond == 123000, 'placed-at')
check(len(d.items) == 2 and d.items[0].dimensions.width == 2.5, 'items')
check(type(d.items[1].price) is float and d.items[1].count == 1 and d.items[1].in_stock is False, 'items[1]')
check(d.items[0].shipped_at.hour == 8, 'shipped-at')
check(d.customer.address.city == 'Berlin' and d.customer.referrer.name == 'Ann', 'customer')
check(d.attributes['channel'] == 'web' and d.tags == ['new', 'gift'] and d.matrix[1][0] == 3, 'map, arrays')
check(d.gr_u00f6_u00dfe == 'XL' and d.size == 'small' and d.size2 == 'BIG', 'names')
check(d.note is None and d.for_ == 7 and d.self_ == 'me' and d.a_b == 'comma', 'keywords')
check(d.gift.wrapped is True and d.gift.message == 'Happy birthday', 'inline object')
check(d.choice == 42, 'oneOf')
check(OrderPlaced.from_dict(Marshaller.marshall(d)) == d, 'detail round trip')
check(OrderPlaced(order_id='x', quantity=1).quantity == 1, 'constructor')
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write(Marshaller.marshall_json(e))

with open(sys.argv[3], 'rb') as f:
    s = ShipMarshaller.unmarshall(f.read(), ShipEvent)
check(s.detail.shipment_id == 's-9' and len(s.detail.parcels) == 2, 'shipment')
check(s.detail.parcels[0].id == 1 and s.detail.parcels[0].contents[0].qty == 2, 'parcels')
check(s.detail.signed is None and s.detail.weights['box'] == 1.25, 'signed, weights')
check(s.time.utcoffset() == datetime.timedelta(hours=2), 'offset kept')
with open(sys.argv[4], 'w', encoding='utf-8') as f:
    f.write(ShipMarshaller.marshall_json(s))

# The awkward schema's package loads, and its classes read and write.
import schema.aws.partner.weird_com_1.weird_event as weird
w = weird.Marshaller.unmarshall('{"class": [[{"class": {"self": "x"}, "self": "y"}]], "self": {"any": 1}, "to_dict": "5", "e0": "*/"}', weird.WeirdTitle)
check(w.class_[0][0].class_.self_ == 'x' and w.self_ == {'any': 1} and w.to_dict_ == "5" and w.e0 == '*/', 'awkward')
check(weird.Marshaller.marshall(w)['class'][0][0]['self'] == 'y', 'awkward marshall')
`
