package codegen

import (
	"os"
	"path/filepath"
	"testing"
)

// tsc finds the TypeScript compiler: SIGNALBOX_TSC, else where
// .ci/codegen-tools.sh installs it.
func tsc(t *testing.T) string {
	t.Helper()
	p := os.Getenv("SIGNALBOX_TSC")
	if p == "" {
		home, _ := os.UserHomeDir()
		p = filepath.Join(home, ".cache", "signalbox-ci", "ts", "node_modules", ".bin", "tsc")
	}
	return tool(t, p)
}

// TestTypeScriptBindings compiles both schemas' TypeScript bindings and a
// round-trip program in one tsc run with --strict, then runs the compiled
// JavaScript with node: each event is read, its typed fields checked,
// written back and compared.
func TestTypeScriptBindings(t *testing.T) {
	t.Parallel()
	compiler, node := tsc(t), tool(t, "node")
	dir := t.TempDir()
	files := writeBindings(t, TypeScript3, dir)
	main := filepath.Join(dir, "main.ts")
	writeFile(t, main, tsMain)
	// --target es5: the bindings use nothing of the library past ES5's.
	// --skipLibCheck: the library declarations are not ours to check, and
	// checking them is most of tsc's time.
	args := []string{"--strict", "--skipLibCheck", "--target", "es5", "--module", "commonjs", "--rootDir", dir, "--outDir", filepath.Join(dir, "js"), main}
	run(t, dir, nil, compiler, append(args, files...)...)
	// A Date is written in UTC: the draft 4 event's +02:00 comes back as Z.
	fix := func(i int, want map[string]any) {
		if i == 1 {
			want["time"] = "2024-06-02T07:15:00Z"
		}
	}
	roundTrip(t, dir, fix, node, filepath.Join(dir, "js", "main.js"))
}

const tsMain = `declare const require: any;
declare const process: any;
const fs = require('fs');

import { AWSEvent, Marshaller, OrderPlaced, LineItem } from './schema/com_example_shop/orderplaced';
import * as ship from './schema/shipmentdelivered';

function check(ok: boolean, what: string): void {
    if (!ok) {
        process.stderr.write('check failed: ' + what + '\n');
        process.exit(1);
    }
}

const e: AWSEvent<OrderPlaced> = Marshaller.unmarshalEvent(fs.readFileSync(process.argv[2], 'utf8'), OrderPlaced);
const d: OrderPlaced = e.detail;
check(d instanceof OrderPlaced, 'detail type');
check(e.source === 'com.example.shop' && e.detailType === 'Order Placed' && e.time.getUTCMinutes() === 30, 'envelope');
check(d.orderId === 'o-1' && d.class === 'premium' && d._2fa === true, 'strings, 2fa');
const q: number = d.quantity;
check(q === 3 && d.total === 41.5, 'quantity, total');
check(d.placedAt instanceof Date && d.placedAt.getUTCMilliseconds() === 123, 'placed-at');
const items: Array<LineItem> = d.items;
check(items.length === 2 && items[0].dimensions !== undefined && items[0].dimensions.width === 2.5, 'items');
check(items[1].price === 21 && items[1].count === 1 && items[1].inStock === false, 'items[1]');
check(items[0].shippedAt !== undefined && items[0].shippedAt.getUTCHours() === 8, 'shipped-at');
check(d.customer.address !== undefined && d.customer.address.city === 'Berlin', 'customer');
check(d.customer.referrer !== undefined && d.customer.referrer.name === 'Ann', 'referrer');
check(d.attributes !== undefined && d.attributes['channel'] === 'web', 'map');
check(d.matrix !== undefined && d.matrix[1][0] === 3, 'matrix');
check(d.grU00f6U00dfe === 'XL' && d.size === 'small' && d.size2 === 'BIG', 'names');
check(d.note === null && d.for === 7 && d.self === 'me' && d.ab === 'comma', 'keywords');
check(d.gift !== undefined && d.gift.wrapped === true, 'inline object');
check(d.choice === 42, 'oneOf');
let threw = false;
try {
    Marshaller.unmarshal('{"order-id": 5}', OrderPlaced);
} catch (err) {
    threw = err instanceof TypeError;
}
check(threw, 'a number for a string is a TypeError');
fs.writeFileSync(process.argv[3], Marshaller.marshal(e));

const s: ship.AWSEvent<ship.ShipmentDelivered> = ship.Marshaller.unmarshalEvent(fs.readFileSync(process.argv[4], 'utf8'), ship.ShipmentDelivered);
check(s.detail.shipmentId === 's-9' && s.detail.parcels.length === 2, 'shipment');
check(s.detail.parcels[0].id === 1, 'parcel id');
check(s.detail.signed === null && s.detail.weights !== undefined && s.detail.weights['box'] === 1.25, 'signed, weights');
fs.writeFileSync(process.argv[5], ship.Marshaller.marshal(s));
`
