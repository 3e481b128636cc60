# Whole-dollar amounts with thousands separators ("$25,000"), built without sprintf width flags
# so every engine renders the same text.
package guardrails.lib.money

import rego.v1

dollars(n) := concat("", ["$", group(n)])

group(n) := format_int(n, 10) if n < 1000

group(n) := concat(",", [format_int(floor(n / 1000), 10), pad3(n % 1000)]) if {
	n >= 1000
	n < 1000000
}

group(n) := concat(",", [format_int(floor(n / 1000000), 10), pad3(floor(n / 1000) % 1000), pad3(n % 1000)]) if {
	n >= 1000000
	n < 1000000000
}

group(n) := concat(",", [
	format_int(floor(n / 1000000000), 10),
	pad3(floor(n / 1000000) % 1000),
	pad3(floor(n / 1000) % 1000),
	pad3(n % 1000),
]) if n >= 1000000000

pad3(k) := concat("", [substring("000", 0, 3 - count(format_int(k, 10))), format_int(k, 10)])
