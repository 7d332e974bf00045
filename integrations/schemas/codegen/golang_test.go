package codegen

import (
	"path/filepath"
	"testing"
)

// TestGoBindings builds both schemas' Go bindings in a module of their
// own with a program that reads each event, checks its typed fields,
// writes it back, and compares; go vet must have nothing to say.
func TestGoBindings(t *testing.T) {
	t.Parallel()
	goTool := tool(t, "go")
	dir := t.TempDir()
	writeBindings(t, Go1, dir)
	writeFile(t, filepath.Join(dir, "go.mod"), "module gentest\n\ngo 1.21\n")
	writeFile(t, filepath.Join(dir, "main.go"), goMain)
	env := []string{"GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off"}
	run(t, dir, env, goTool, "vet", "./...")
	run(t, dir, env, goTool, "build", "-o", "roundtrip", ".")
	roundTrip(t, dir, nil, filepath.Join(dir, "roundtrip"))
}

const goMain = `package main

import (
	"fmt"
	"os"

	shop "gentest/schema/com_example_shop/orderplaced"
	ship "gentest/schema/shipmentdelivered"
)

func check(ok bool, what string) {
	if !ok {
		fmt.Fprintln(os.Stderr, "check failed:", what)
		os.Exit(1)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	must(err)
	e, err := shop.UnmarshalEvent(data)
	must(err)
	d := e.Detail
	check(e.Source == "com.example.shop" && e.DetailType == "Order Placed" && e.Time.Minute() == 30, "envelope")
	check(d.OrderId == "o-1" && d.Class == "premium", "strings")
	check(d.X2fa != nil && *d.X2fa, "2fa")
	var q int64 = d.Quantity
	var total float64 = d.Total
	check(q == 3 && total == 41.5, "quantity, total")
	check(d.PlacedAt.Year() == 2024 && d.PlacedAt.Nanosecond() == 123000000, "placed-at")
	check(len(d.Items) == 2 && d.Items[0].Dimensions != nil && *d.Items[0].Dimensions.Width == 2.5, "items")
	check(d.Items[1].Price == 21 && d.Items[1].Count == 1 && !*d.Items[1].InStock && d.Items[1].Dimensions == nil, "items[1]")
	check(d.Items[0].ShippedAt != nil && d.Items[0].ShippedAt.Hour() == 8, "shipped-at")
	check(d.Customer.Address != nil && *d.Customer.Address.City == "Berlin", "customer")
	check(d.Customer.Referrer != nil && d.Customer.Referrer.Name == "Ann", "referrer")
	check(d.Attributes["channel"] == "web" && len(d.Tags) == 2 && d.Matrix[1][0] == 3, "map, arrays")
	check(*d.GrU00f6U00dfe == "XL" && *d.Size == "small" && *d.Size2 == "BIG", "names")
	check(d.Note == nil && *d.For == 7 && *d.Self == "me" && *d.AB == "comma", "keywords")
	check(d.Gift != nil && *d.Gift.Wrapped && *d.Gift.Message == "Happy birthday", "inline object")
	check(d.Choice == float64(42), "oneOf")
	out, err := shop.Marshal(e)
	must(err)
	must(os.WriteFile(os.Args[2], out, 0o644))

	data, err = os.ReadFile(os.Args[3])
	must(err)
	s, err := ship.UnmarshalEvent(data)
	must(err)
	check(s.Detail.ShipmentId == "s-9" && len(s.Detail.Parcels) == 2, "shipment")
	check(*s.Detail.Parcels[0].Id == 1 && *s.Detail.Parcels[0].Contents[0].Qty == 2, "parcels")
	check(s.Detail.Signed == nil && s.Detail.Weights["box"] == 1.25, "signed, weights")
	out, err = ship.Marshal(s)
	must(err)
	must(os.WriteFile(os.Args[4], out, 0o644))
}
`
