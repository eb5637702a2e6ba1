package series

import (
	"strings"
	"testing"
)

func TestDetectDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want rune
	}{
		{"", ','},
		{"v\n1\n", ','},
		{"a;b\n1;2\n", ';'},
		{"a\tb\n1\t2\n", '\t'},
		{"a,b;c\n1,2;3\n", ','},            // both consistent, one each: comma first
		{"a;b;c\n1,5;2;3\n", ';'},          // only ';' is consistent
		{"a;b;c\n1;2\n", ';'},              // none consistent: most on line 1
		{"\"x;y\",b\n1,2\n", ','},          // quoted ';' does not count
		{"a,\"b\nc\";d\n1,2\n", ','},       // a quoted newline does not end a line
		{" \t \n\t\na;b\n1;2\n", ';'},      // white-space lines are blank
		{"a;b\r\n1;2\r\n3;4", ';'},         // CRLF, no final newline
		{strings.Repeat("a;", 40000), ';'}, // cut short, but the only line
	}
	for _, tc := range tests {
		if got := detectDelimiter([]byte(tc.in)); got != tc.want {
			t.Errorf("detectDelimiter(%.40q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzDetectDelimiter checks that detectDelimiter never panics, returns one
// of its delimiters, and finds the delimiter of a regular table.
func FuzzDetectDelimiter(f *testing.F) {
	f.Add([]byte("a;b\n1;2\n"), uint8(1), uint8(3), uint8(2))
	f.Add([]byte("\"\n,\t;"), uint8(0), uint8(1), uint8(1))
	f.Add([]byte{}, uint8(2), uint8(2), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, d, cols, rows uint8) {
		switch got := detectDelimiter(data); got {
		case ',', ';', '\t':
		default:
			t.Fatalf("detectDelimiter(%q) = %q", data, got)
		}
		// A table of cols+2 fields by rows+1 lines of letters only.
		delim := delimiters[int(d)%len(delimiters)]
		var b strings.Builder
		for r := 0; r <= int(rows)%20; r++ {
			for c := 0; c < int(cols)%10+2; c++ {
				if c > 0 {
					b.WriteByte(delim)
				}
				b.WriteByte('a' + byte(r+c)%26)
			}
			b.WriteByte('\n')
		}
		if got := detectDelimiter([]byte(b.String())); got != rune(delim) {
			t.Fatalf("detectDelimiter(%q) = %q; want %q", b.String(), got, delim)
		}
	})
}
