package proto

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
)

// Dump gives a canonical one-line form of e, the one in the vectors file
// and printed by the C test:
//
//	id=<msg_id> tag=<tag> <field>=<value> ...
//
// Unsigned integers are decimal, bools true or false, byte strings lower-case
// hex (nothing if empty), text strings in double quotes with every byte
// outside 0x21..0x7e, and '"' and '\', written \xHH; arrays are [a,b,...]
// and an AppStatus is {app_id=... state=... detail=...}.
func Dump(e Envelope) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id=%d", e.MsgID)
	if e.Msg == nil {
		return b.String()
	}
	fmt.Fprintf(&b, " tag=%d", uint64(e.Msg.Tag()))
	v := reflect.Indirect(reflect.ValueOf(e.Msg))
	for i := 0; i < v.NumField(); i++ {
		name, _ := fieldInfo(v.Type().Field(i))
		b.WriteString(" " + name + "=")
		dumpValue(&b, v.Field(i))
	}
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Uint64:
		fmt.Fprintf(b, "%d", v.Uint())
	case reflect.Bool:
		fmt.Fprintf(b, "%t", v.Bool())
	case reflect.String:
		b.WriteString(QuoteText(v.String()))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fmt.Fprintf(b, "%02x", v.Index(i).Uint())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b.WriteString(hex.EncodeToString(v.Bytes()))
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			dumpValue(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Struct:
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			name, _ := fieldInfo(v.Type().Field(i))
			b.WriteString(name + "=")
			dumpValue(b, v.Field(i))
		}
		b.WriteByte('}')
	}
}

// QuoteText quotes s as Dump does.
func QuoteText(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			fmt.Fprintf(&b, `\x%02x`, c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
