package codegen

import (
	"strings"
	"testing"
)

// TestPackageSegments holds the package names to the AWS Toolkits' (their
// SchemaCodeGenUtils cases), plus names no identifier can hold as they are.
func TestPackageSegments(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"aws.ec2.EC2InstanceStateChangeNotificationEvent":          "schema.aws.ec2.ec2instancestatechangenotificationevent",
		"aws.ec2@EC2InstanceStateChangeNotificationEvent":          "schema.aws.ec2.ec2instancestatechangenotificationevent",
		"aws.partner-mongodb.com/1234567-tickets@TicketCreated":    "schema.aws.partner.mongodb_com_1234567_tickets.ticketcreated",
		"aws.partner-zendesk.com/some#other?special;chars@MyEvent": "schema.aws.partner.zendesk_com_some_other_special_chars.myevent",
		"aws.partner-pagerduty.com@YouGotPaged":                    "schema.aws.partner.pagerduty_com.yougotpaged",
		"MyEvent":                                                  "schema.myevent",
		"MyEvent.Special#Characters$etc":                           "schema.myevent_special_characters_etc",
		"MyEvent@Discriminator":                                    "schema.myevent.discriminator",
		"MyEvent@Discriminator@Another":                            "schema.myevent.discriminator.another",
		"com.example.shop@OrderPlaced":                             "schema.com_example_shop.orderplaced",
		"":                                                         "schema.event",
		"@@":                                                       "schema.event",
		"2024@class":                                               "schema._2024.class_",
		"Größe@Ünïcode":                                            "schema.gr__e._n_code",
	} {
		if got := strings.Join(packageSegments(name), "."); got != want {
			t.Errorf("packageSegments(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestIdentifiers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, pascal, camel, snake string }{
		{"detail-type", "DetailType", "detailType", "detail_type"},
		{"instance-id", "InstanceId", "instanceId", "instance_id"},
		{"EC2InstanceStateChangeNotification", "EC2InstanceStateChangeNotification", "ec2InstanceStateChangeNotification", "ec2_instance_state_change_notification"},
		{"URLValue", "URLValue", "urlValue", "url_value"},
		{"ID", "ID", "id", "id"},
		{"2fa", "2fa", "2fa", "2fa"},
		{"größe", "GrU00f6U00dfe", "grU00f6U00dfe", "gr_u00f6_u00dfe"},
		{"a,b", "AB", "ab", "a_b"},
		{"$", "F", "f", "f"},
		{"__init__", "Init", "init", "init"},
	} {
		if got := pascal(c.in, "F"); got != c.pascal {
			t.Errorf("pascal(%q) = %q, want %q", c.in, got, c.pascal)
		}
		if got := camel(c.in, "f"); got != c.camel {
			t.Errorf("camel(%q) = %q, want %q", c.in, got, c.camel)
		}
		if got := snake(c.in, "f"); got != c.snake {
			t.Errorf("snake(%q) = %q, want %q", c.in, got, c.snake)
		}
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	s := newScope(true, set("class", "string"), "awsevent")
	var got []string
	for _, n := range []string{"Foo", "foo", "FOO", "Class", "AWSEvent", "String", strings.Repeat("x", 200), strings.Repeat("x", 200)} {
		got = append(got, s.name(n))
	}
	long := got[6]
	if len(long) != maxIdentifierLen || got[7] != long+"2" {
		t.Errorf("long names: %q, %q", got[6], got[7])
	}
	want := []string{"Foo", "foo2", "FOO3", "Class_", "AWSEvent2", "String_"}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("name %d = %q, want %q (all: %q)", i, got[i], w, got[:6])
		}
	}
}
