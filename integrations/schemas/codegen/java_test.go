package codegen

import (
	"path/filepath"
	"testing"
)

// TestJavaBindings compiles both schemas' Java bindings and a round-trip
// program in one javac run, as Java 8 (--release 8) with no library on the
// class path, then runs it: each event is read, its typed fields checked,
// written back and compared.
func TestJavaBindings(t *testing.T) {
	t.Parallel()
	javac, java := tool(t, "javac"), tool(t, "java")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files := writeBindings(t, Java8, src)
	main := filepath.Join(src, "Main.java")
	writeFile(t, main, javaMain)
	// C1 only: javac and the program run too briefly for C2 to pay off.
	args := []string{"-J-XX:TieredStopAtLevel=1", "-J-Xshare:auto", "--release", "8", "-Xlint:-options", "-encoding", "UTF-8", "-d", filepath.Join(dir, "classes"), main}
	run(t, dir, nil, javac, append(args, files...)...)
	// -Xshare:auto and a small heap start the JVM fastest on a loaded machine.
	roundTrip(t, dir, nil, java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", filepath.Join(dir, "classes"), "Main")
}

const javaMain = `import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.OffsetDateTime;
import java.util.List;

import schema.com_example_shop.orderplaced.AWSEvent;
import schema.com_example_shop.orderplaced.LineItem;
import schema.com_example_shop.orderplaced.OrderPlaced;
import schema.com_example_shop.orderplaced.marshaller.Marshaller;
import schema.shipmentdelivered.ShipmentDelivered;

public class Main {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("check failed: " + what);
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        AWSEvent<OrderPlaced> e;
        try (InputStream in = new FileInputStream(args[0])) {
            e = Marshaller.unmarshalEvent(in, OrderPlaced.class);
        }
        OrderPlaced d = e.getDetail();
        check("com.example.shop".equals(e.getSource()) && "Order Placed".equals(e.getDetailType()), "envelope");
        check(e.getTime().getMinute() == 30 && e.getResources().size() == 1, "time, resources");
        check("o-1".equals(d.getOrderId()) && "premium".equals(d.getClass_()), "strings");
        check(Boolean.TRUE.equals(d.get_2fa()), "2fa");
        Long q = d.getQuantity();
        Double total = d.getTotal();
        check(q == 3L && total == 41.5, "quantity, total");
        OffsetDateTime placed = d.getPlacedAt();
        check(placed.getYear() == 2024 && placed.getNano() == 123000000, "placed-at");
        List<LineItem> items = d.getItems();
        check(items.size() == 2 && items.get(0).getDimensions().getWidth() == 2.5, "items");
        check(items.get(1).getPrice() == 21.0 && items.get(1).getCount() == 1L && !items.get(1).getInStock(), "items[1]");
        check(items.get(0).getShippedAt().getHour() == 8, "shipped-at");
        check("Berlin".equals(d.getCustomer().getAddress().getCity()), "customer");
        check("Ann".equals(d.getCustomer().getReferrer().getName()), "referrer");
        check("web".equals(d.getAttributes().get("channel")) && d.getTags().size() == 2, "map, array");
        check(d.getMatrix().get(1).get(0) == 3L, "matrix");
        check("XL".equals(d.getGrU00f6U00dfe()) && "small".equals(d.getSize()) && "BIG".equals(d.getSize2()), "names");
        check(d.getNote() == null && d.getFor_() == 7L && "me".equals(d.getSelf()) && "comma".equals(d.getAb()), "keywords");
        check(d.getGift().getWrapped() && "Happy birthday".equals(d.getGift().getMessage()), "inline object");
        check(Long.valueOf(42).equals(d.getChoice()), "oneOf");
        OrderPlaced built = new OrderPlaced().withOrderId("x").withQuantity(1L);
        check(built.getQuantity() == 1L && "x".equals(built.getOrderId()), "builder");
        check(Marshaller.unmarshal(Marshaller.marshal(d), OrderPlaced.class).equals(d), "detail round trip");
        try (OutputStream out = new FileOutputStream(args[1])) {
            Marshaller.marshal(out, e);
        }

        schema.shipmentdelivered.AWSEvent<ShipmentDelivered> s;
        try (InputStream in = new FileInputStream(args[2])) {
            s = schema.shipmentdelivered.marshaller.Marshaller.unmarshalEvent(in, ShipmentDelivered.class);
        }
        check("s-9".equals(s.getDetail().getShipmentId()) && s.getDetail().getParcels().size() == 2, "shipment");
        check(s.getDetail().getParcels().get(0).getId() == 1L, "parcel id");
        check(s.getDetail().getParcels().get(0).getContents().get(0).getQty() == 2L, "contents");
        check(s.getDetail().getSigned() == null && s.getDetail().getWeights().get("box") == 1.25, "signed, weights");
        check(s.getTime().getOffset().getTotalSeconds() == 7200, "offset kept");
        try (OutputStream out = new FileOutputStream(args[3])) {
            schema.shipmentdelivered.marshaller.Marshaller.marshal(out, s);
        }
    }
}
`
