package series_test

import (
	"errors"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
)

// readString is ReadCSV on s, with the input named data.csv.
func readString(s string, opt series.CSVOptions) (*series.Table, error) {
	if opt.Name == "" {
		opt.Name = "data.csv"
	}
	return series.ReadCSV(strings.NewReader(s), opt)
}

// tableString formats t as "names rows values time timeName".
func tableString(t *series.Table) string {
	return fmt.Sprint(t.Names, " ", t.Rows, " ", t.Values, " ", t.Time, " ", t.TimeName)
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opt  series.CSVOptions
		want string // tableString of the result
	}{
		{"univariate with header", "y\n1\n2\n3\n", series.CSVOptions{}, "[y] 3 [1 2 3] [] "},
		{"multivariate with header", "a,b\n1,10\n2,20\n", series.CSVOptions{}, "[a b] 2 [1 10 2 20] [] "},

		// Header auto-detection.
		{"numeric first row is data", "1,10\n2,20\n", series.CSVOptions{}, "[col0 col1] 2 [1 10 2 20] [] "},
		{"missing value in first row is data", "NA,10\n2,20\n3,30\n", series.CSVOptions{Gaps: series.GapInterpolate},
			"[col0 col1] 3 [2 10 2 20 3 30] [] "},
		{"text only in a column not selected", "x,1\ny,2\n", series.CSVOptions{Columns: []string{"1"}}, "[col1] 2 [1 2] [] "},
		{"text only in the time column", "2024-01-01,1\n2024-01-02,2\n", series.CSVOptions{Time: "0"},
			"[col1] 2 [1 2] [2024-01-01 2024-01-02] col0"},
		{"selection by name implies a header", "region,2019,2020\nA,1,2\nB,3,4\n", series.CSVOptions{Columns: []string{"2020"}},
			"[2020] 2 [2 4] [] "},
		{"HeaderYes with a numeric header", "1,2\n3,4\n5,6\n", series.CSVOptions{Header: series.HeaderYes}, "[1 2] 2 [3 4 5 6] [] "},
		{"HeaderNo", "1,2\n3,4\n", series.CSVOptions{Header: series.HeaderNo}, "[col0 col1] 2 [1 2 3 4] [] "},
		{"empty header field", ",a\n1,2\n3,4\n", series.CSVOptions{}, "[col0 a] 2 [1 2 3 4] [] "},

		// Selection.
		{"by name, in the order given", "t,a,b\n0,1,10\n1,2,20\n", series.CSVOptions{Columns: []string{"b", "a"}},
			"[b a] 2 [10 1 20 2] [] "},
		{"by index", "t,a,b\n0,1,10\n1,2,20\n", series.CSVOptions{Columns: []string{"2"}}, "[b] 2 [10 20] [] "},
		{"by name and index", "t,a,b\n0,1,10\n1,2,20\n", series.CSVOptions{Columns: []string{"b", " 1 "}},
			"[b a] 2 [10 1 20 2] [] "},
		{"name before index", "1,0\n5,6\n7,8\n", series.CSVOptions{Header: series.HeaderYes, Columns: []string{"0"}}, "[0] 2 [6 8] [] "},
		{"generated names", "1,2\n3,4\n", series.CSVOptions{Header: series.HeaderNo, Columns: []string{"col1"}}, "[col1] 2 [2 4] [] "},
		{"duplicate name not selected", "a,b,a\n1,2,3\n4,5,6\n", series.CSVOptions{Columns: []string{"b"}}, "[b] 2 [2 5] [] "},
		{"text in a column not selected", "city,v\nParis,1\nRome,2\n", series.CSVOptions{Columns: []string{"v"}}, "[v] 2 [1 2] [] "},

		// Time column.
		{"time by name", "date,v\n2024-01-01,1\n 2024-01-02 ,2\n", series.CSVOptions{Time: "date"},
			"[v] 2 [1 2] [2024-01-01 2024-01-02] date"},
		{"time by index in the middle", "a,t,b\n1,x,2\n3,y,4\n", series.CSVOptions{Time: "1"}, "[a b] 2 [1 2 3 4] [x y] t"},

		// Gap policies.
		{"drop", "t,a,b\n1,1,10\n2,NA,20\n3,3,\n4,4,40\n5,5,50\n", series.CSVOptions{Time: "t", Gaps: series.GapDrop},
			"[a b] 3 [1 10 4 40 5 50] [1 4 5] t"},
		{"drop ignores columns not selected", "a,b\n1,NA\n2,NA\n", series.CSVOptions{Columns: []string{"a"}, Gaps: series.GapDrop},
			"[a] 2 [1 2] [] "},
		// Interior gaps: 0, _, _, 3 -> 1, 2; 10, _, 30 -> 20. Ends take the
		// nearest value: _, 5 -> 5 and 7, _ -> 7.
		{"interpolate", "a,b,c\n0,10,NA\n?,null,5\nnan,30,6\n3,40,7\n4,50,\n", series.CSVOptions{Gaps: series.GapInterpolate},
			"[a b c] 5 [0 10 5 1 20 5 2 30 6 3 40 7 4 50 7] [] "},
		{"interpolate quarters", "v\n1\nNA\nNA\nNA\n2\n", series.CSVOptions{Gaps: series.GapInterpolate}, "[v] 5 [1 1.25 1.5 1.75 2] [] "},
		{"missing markers in any case", "v\n1\nna\nNaN\nNULL\n?\nNan\n2\n", series.CSVOptions{Gaps: series.GapDrop}, "[v] 2 [1 2] [] "},

		// Format details.
		{"BOM, CRLF, quotes, spaces, trailing blank lines",
			"\uFEFF\"date\", \"a b\"\r\n2024-01-01, \" 1.5 \"\r\n\"2024-01-02\",  -2e1 \r\n\r\n  \r\n",
			series.CSVOptions{Time: "date"}, "[a b] 2 [1.5 -20] [2024-01-01 2024-01-02] date"},
		{"quoted field over two lines", "a,b\n1,\"x\ny\"\n2,z\n", series.CSVOptions{Columns: []string{"a"}}, "[a] 2 [1 2] [] "},
		{"semicolon", "a;b\n1,5;2\n3;4\n", series.CSVOptions{Delimiter: ';', Columns: []string{"b"}}, "[b] 2 [2 4] [] "},
		{"tab keeps empty fields", "a\tb\n1\t\n2\t3\n3\t4\n", series.CSVOptions{Delimiter: '\t', Gaps: series.GapInterpolate},
			"[a b] 3 [1 3 2 3 3 4] [] "},
		{"no final newline", "a\n1\n2", series.CSVOptions{}, "[a] 2 [1 2] [] "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tab, err := readString(tc.in, tc.opt)
			if err != nil {
				t.Fatalf("ReadCSV(%q) error = %v", tc.in, err)
			}
			if got := tableString(tab); got != tc.want {
				t.Errorf("ReadCSV(%q) = %s; want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestReadCSVErrors checks every error: its sentinel, and that its message
// names the file, the line and the column where they apply.
func TestReadCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opt  series.CSVOptions
		is   error
		want []string // substrings of the message
	}{
		{"not a number", "t,a,b\n1,2,3\n2,x y,4\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"series: read csv: data.csv:3:", `column "a" (index 1)`, `value "x y" is not a number`}},
		{"not a number after a multi-line field", "a,b\n\"p\nq\",1\nr,2x\n", series.CSVOptions{Columns: []string{"b"}}, series.ErrInvalid,
			[]string{"data.csv:4:", `column "b" (index 1)`, `"2x"`}},
		{"text in first row under HeaderNo", "a,b\n1,2\n", series.CSVOptions{Header: series.HeaderNo}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "col0" (index 0)`, `"a"`}},
		{"not a number in a row that GapDrop drops", "a,b\n1,2\n3,4\nNA,x\n", series.CSVOptions{Gaps: series.GapDrop}, series.ErrInvalid,
			[]string{"data.csv:4:", `column "b" (index 1)`, `value "x" is not a number`}},
		{"missing under GapFail", "a,b\n1,2\n2,NA\n3,4\n", series.CSVOptions{}, series.ErrNaN,
			[]string{"series: read csv: data.csv:3:", `column "b" (index 1)`, `missing value "NA"`}},
		{"empty cell under GapFail", "a,b\n1,2\n2,3\n,4\n", series.CSVOptions{}, series.ErrNaN,
			[]string{"data.csv:4:", `column "a" (index 0)`, `missing value ""`}},
		{"infinite", "a\n1\n-Inf\n", series.CSVOptions{}, series.ErrNaN,
			[]string{"data.csv:3:", `column "a" (index 0)`, `value "-Inf" is infinite`}},
		{"out of range", "a\n1\n1e999\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:3:", `column "a" (index 0)`, `value "1e999" is out of the range`}},
		{"too few fields", "a,b,c\n1,2,3\n4,5\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:3:", "2 fields, want 3 as on line 1", `column "c" (index 2) is missing`}},
		{"too many fields", "a,b\n1,2\n3,4\n5,6,7\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:4:", "3 fields, want 2 as on line 1", "extra field at index 2"}},
		{"quoting error", "a,b\n1,2\n3,4\"5\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:3:", "character 4", "bare \" in non-quoted-field"}},
		{"empty", "", series.CSVOptions{}, series.ErrEmpty, []string{"series: read csv: data.csv: no rows"}},
		{"blank lines only", "\n \r\n\t\n", series.CSVOptions{}, series.ErrEmpty, []string{"data.csv: no rows"}},
		{"BOM only", "\uFEFF", series.CSVOptions{}, series.ErrEmpty, []string{"data.csv: no rows"}},
		{"header only", "\na,b\n\n", series.CSVOptions{}, series.ErrEmpty, []string{"data.csv:2: only a header, no data rows"}},
		{"one data row", "a,b\n1,2\n", series.CSVOptions{}, series.ErrTooShort, []string{"data.csv:2: 1 data row, need at least 2"}},
		{"one row left after drop", "a\n1\nNA\nNA\n", series.CSVOptions{Gaps: series.GapDrop}, series.ErrTooShort,
			[]string{"data.csv: 1 data rows left after dropping 2 of 3 with missing values"}},
		{"nothing to interpolate from", "a,b\n1,NA\n2,\n", series.CSVOptions{Gaps: series.GapInterpolate}, series.ErrNaN,
			[]string{"data.csv:", `column "b" (index 1) has no values`, "lines 2 to 3"}},
		{"unknown column", "a,b\n1,2\n3,4\n", series.CSVOptions{Columns: []string{"a", "z"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `unknown column "z"`, `the header has "a", "b"`}},
		{"unknown column without header", "1,2\n3,4\n", series.CSVOptions{Header: series.HeaderNo, Columns: []string{"z"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `unknown column "z"`, `no header; the columns are "col0", "col1"`}},
		{"column index out of range", "a,b\n1,2\n3,4\n", series.CSVOptions{Columns: []string{"2"}}, series.ErrInvalid,
			[]string{"data.csv:1:", "column index 2 out of range", "2 fields"}},
		{"unknown time column", "a,b\n1,2\n3,4\n", series.CSVOptions{Time: "date"}, series.ErrInvalid,
			[]string{"data.csv:1:", `unknown time column "date"`}},
		{"duplicate name selected by name", "a,b,a\n1,2,3\n4,5,6\n", series.CSVOptions{Columns: []string{"a"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "a" appears twice in the header, at indexes 0 and 2`}},
		{"duplicate name selected by default", "a,b,a\n1,2,3\n4,5,6\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "a" appears twice in the header, at indexes 0 and 2`}},
		{"duplicate name selected by index", " a ,b,a\n1,2,3\n4,5,6\n", series.CSVOptions{Columns: []string{"0", "2"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "a" appears twice in the header, at indexes 0 and 2`}},
		{"column selected twice", "a,b\n1,2\n3,4\n", series.CSVOptions{Columns: []string{"b", "1"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "b" (index 1) is selected twice`}},
		{"time also selected", "t,v\n1,5\n2,6\n", series.CSVOptions{Time: "t", Columns: []string{"t", "v"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "t" (index 0) is both the time column and a value column`}},
		{"time is the target", "date,co2\n1,5\n2,6\n", series.CSVOptions{Time: "co2", Columns: []string{"co2"}}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "co2" (index 1) is both the time column and a value column`}},
		{"only a time column", "t\n1\n2\n", series.CSVOptions{Time: "t"}, series.ErrInvalid,
			[]string{"data.csv:1:", `column "t" (index 0) is the time column`}},
		{"bad comma", "a\n1\n2\n", series.CSVOptions{Delimiter: '"'}, series.ErrInvalid, []string{"data.csv:", "delimiter '\"'"}},
		{"bad header mode", "a\n1\n2\n", series.CSVOptions{Header: 7}, series.ErrInvalid, []string{"data.csv:", "header mode 7"}},
		{"bad gap policy", "a\n1\n2\n", series.CSVOptions{Gaps: -1}, series.ErrInvalid, []string{"data.csv:", "gap policy -1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tab, err := readString(tc.in, tc.opt)
			if err == nil {
				t.Fatalf("ReadCSV(%q) = %s; want an error", tc.in, tableString(tab))
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("ReadCSV(%q) error = %v; want one wrapping %v", tc.in, err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ReadCSV(%q) error = %q; want it to contain %q", tc.in, err, w)
				}
			}
		})
	}
}

func TestReadCSVEmptyIsTooShort(t *testing.T) {
	t.Parallel()
	_, err := series.ReadCSV(strings.NewReader(""), series.CSVOptions{})
	if !errors.Is(err, series.ErrTooShort) || !errors.Is(err, series.ErrEmpty) {
		t.Errorf("ReadCSV(\"\") error = %v; want ErrEmpty and ErrTooShort", err)
	}
	if want := "series: read csv: <input>: no rows"; err.Error() != want {
		t.Errorf("ReadCSV(\"\") error = %q; want %q", err, want)
	}
}

// failingReader returns a few bytes of CSV, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadCSVReaderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	_, err := series.ReadCSV(&failingReader{data: "a\n1\n", err: boom}, series.CSVOptions{Name: "x.csv"})
	if !errors.Is(err, boom) {
		t.Fatalf("ReadCSV error = %v; want one wrapping %v", err, boom)
	}
	if want := "series: read csv: x.csv: disk on fire"; err.Error() != want {
		t.Errorf("ReadCSV error = %q; want %q", err, want)
	}
}

func TestReadCSVFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "temps.csv")
	if err := os.WriteFile(path, []byte("day,temp\n1,5\n2,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := series.ReadCSVFile(path, series.CSVOptions{})
	if !errors.Is(err, series.ErrInvalid) || !strings.Contains(err.Error(), path+":3:") {
		t.Errorf("ReadCSVFile(%q) error = %v; want ErrInvalid naming %s:3", path, err, path)
	}
	_, err = series.ReadCSVFile(path, series.CSVOptions{Name: "mine"})
	if err == nil || !strings.Contains(err.Error(), "mine:3:") {
		t.Errorf("ReadCSVFile(%q, Name mine) error = %v; want it to name mine:3", path, err)
	}
	missing := filepath.Join(dir, "missing.csv")
	_, err = series.ReadCSVFile(missing, series.CSVOptions{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadCSVFile(%q) error = %v; want os.ErrNotExist naming the path", missing, err)
	}

	tab, err := series.ReadCSVFile(filepath.Join("testdata", "monthly.csv"), series.CSVOptions{Time: "month", Gaps: series.GapInterpolate})
	if err != nil {
		t.Fatal(err)
	}
	// Provenance: testdata/monthly.csv is made up for this test; its one
	// gap (2023-04 sales) lies midway between 120 and 140.
	if got, want := tableString(tab), "[sales visitors] 6 [100 1000 110 1100 120 1200 130 1250 140 1400 150 1500] "+
		"[2023-01 2023-02 2023-03 2023-04 2023-05 2023-06] month"; got != want {
		t.Errorf("ReadCSVFile(testdata/monthly.csv) = %s; want %s", got, want)
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	tab, err := readString("t,a,b,c\n0,1,10,100\n1,2,20,200\n", series.CSVOptions{Time: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tab.Index("c"); got != 2 || err != nil {
		t.Errorf("Index(c) = %d, %v; want 2, nil", got, err)
	}
	if got, err := tab.Column("b"); fmt.Sprint(got) != "[10 20]" || err != nil {
		t.Errorf("Column(b) = %v, %v; want [10 20], nil", got, err)
	}
	if got, err := tab.Select("c", "a", "c"); fmt.Sprint(got) != "[100 1 100 200 2 200]" || err != nil {
		t.Errorf("Select(c, a, c) = %v, %v; want [100 1 100 200 2 200], nil", got, err)
	}
	if got, err := tab.Select(); len(got) != 0 || err != nil {
		t.Errorf("Select() = %v, %v; want [], nil", got, err)
	}
	col, _ := tab.Column("a")
	col[0] = -1
	if tab.Values[0] != 1 {
		t.Errorf("Column returned a view: writing it changed Values[0] to %v", tab.Values[0])
	}
	for _, tc := range []struct{ name, want string }{
		{"z", `series: table: unknown column "z"; the columns are "a", "b", "c"`},
		{"t", `series: table: "t" is the time column, not a value column; see Table.Time`},
	} {
		if _, err := tab.Index(tc.name); !errors.Is(err, series.ErrInvalid) || err.Error() != tc.want {
			t.Errorf("Index(%q) error = %v; want %q", tc.name, err, tc.want)
		}
		if _, err := tab.Select("a", tc.name); !errors.Is(err, series.ErrInvalid) {
			t.Errorf("Select(a, %q) error = %v; want ErrInvalid", tc.name, err)
		}
	}
	bad := &series.Table{Names: []string{"a"}, Values: []float64{1, 2, 3}, Rows: 2}
	if _, err := bad.Column("a"); !errors.Is(err, series.ErrInvalid) {
		t.Errorf("Column on an inconsistent Table error = %v; want ErrInvalid", err)
	}
}

// TestReadCSVManyColumns checks that an unknown column's error lists at
// most 10 of the columns.
func TestReadCSVManyColumns(t *testing.T) {
	t.Parallel()
	names := make([]string, 12)
	for i := range names {
		names[i] = fmt.Sprint("c", i)
	}
	row := strings.Repeat("1,", 11) + "1\n"
	in := strings.Join(names, ",") + "\n" + row + row
	_, err := readString(in, series.CSVOptions{Columns: []string{"z"}})
	want := `unknown column "z"; the header has "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", ... (12 in all)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadCSV(12 columns, Columns z) error = %v; want it to contain %s", err, want)
	}
}

func TestNextTimes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		times []string
		n     int
		want  string
	}{
		{"integers", []string{"1", "2"}, 3, "[3 4 5]"},
		{"integer step 5", []string{"0", "10", "15"}, 2, "[20 25]"},
		{"years", []string{"2019", "2020"}, 2, "[2021 2022]"},
		{"negative integers", []string{"-3", "-1"}, 2, "[1 3]"},
		{"floats keep decimals", []string{"0.50", "0.75"}, 2, "[1.00 1.25]"},
		{"float rounding", []string{"0.1", "0.2"}, 3, "[0.3 0.4 0.5]"},
		{"float exponent", []string{"1e3", "2e3"}, 1, "[3000]"},
		{"daily", []string{"2024-02-27", "2024-02-28"}, 3, "[2024-02-29 2024-03-01 2024-03-02]"},
		{"daily across a year", []string{"2023-12-30", "2023-12-31"}, 2, "[2024-01-01 2024-01-02]"},
		{"daily from a month end", []string{"2024-01-31", "2024-02-01"}, 1, "[2024-02-02]"},
		{"weekly", []string{"2024-01-01", "2024-01-08"}, 2, "[2024-01-15 2024-01-22]"},
		{"monthly", []string{"2023-11", "2023-12"}, 3, "[2024-01 2024-02 2024-03]"},
		{"monthly dates", []string{"2023-11-01", "2023-12-01"}, 2, "[2024-01-01 2024-02-01]"},
		{"monthly on the 15th", []string{"2024-01-15", "2024-02-15"}, 2, "[2024-03-15 2024-04-15]"},
		{"monthly clamped", []string{"2023-12-30", "2024-01-30"}, 2, "[2024-02-29 2024-03-30]"},
		{"month ends", []string{"2024-01-31", "2024-02-29"}, 3, "[2024-03-31 2024-04-30 2024-05-31]"},
		{"quarterly", []string{"2023-07", "2023-10"}, 2, "[2024-01 2024-04]"},
		{"yearly dates", []string{"2022-03-01", "2023-03-01"}, 1, "[2024-03-01]"},
		{"hourly", []string{"2024-01-01 22:00:00", "2024-01-01 23:00:00"}, 2, "[2024-01-02 00:00:00 2024-01-02 01:00:00]"},
		{"quarter-hourly", []string{"2024-01-01 23:30", "2024-01-01 23:45"}, 2, "[2024-01-02 00:00 2024-01-02 00:15]"},
		{"hourly ISO", []string{"2024-01-01T10:00:00", "2024-01-01T11:00:00"}, 1, "[2024-01-01T12:00:00]"},
		{"hourly RFC 3339 UTC", []string{"2024-03-30T22:00:00Z", "2024-03-30T23:00:00Z"}, 2,
			"[2024-03-31T00:00:00Z 2024-03-31T01:00:00Z]"},
		{"hourly RFC 3339 keeps the offset", []string{"2024-03-31T00:00:00+01:00", "2024-03-31T01:00:00+01:00"}, 2,
			"[2024-03-31T02:00:00+01:00 2024-03-31T03:00:00+01:00]"},
		{"daily with spaces", []string{" 2024-01-01 ", " 2024-01-02 "}, 1, "[2024-01-03]"},
		{"zero steps", []string{"1", "2"}, 0, "[]"},
	}
	for _, tc := range tests {
		got, err := series.NextTimes(tc.times, tc.n)
		if err != nil {
			t.Errorf("%s: NextTimes(%q, %d) error = %v", tc.name, tc.times, tc.n, err)
			continue
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s: NextTimes(%q, %d) = %v; want %s", tc.name, tc.times, tc.n, got, tc.want)
		}
	}
}

func TestNextTimesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		times []string
		n     int
		is    error
	}{
		{[]string{"1"}, 1, series.ErrTooShort},
		{nil, 1, series.ErrTooShort},
		{[]string{"1", "2"}, -1, series.ErrInvalid},
		{[]string{"2", "1"}, 1, series.ErrInvalid},                   // decreasing
		{[]string{"2", "2"}, 1, series.ErrInvalid},                   // no step
		{[]string{"0.5", "0.5"}, 1, series.ErrInvalid},               // no step
		{[]string{"2024-01-02", "2024-01-01"}, 1, series.ErrInvalid}, // decreasing
		{[]string{"2024-01-01", "2024-01-01"}, 1, series.ErrInvalid}, // no step
		{[]string{"2024-01-01", "2024-01-02 00:00:00"}, 1, series.ErrInvalid},
		{[]string{"1", "2024-01-01"}, 1, series.ErrInvalid},
		{[]string{"a", "b"}, 1, series.ErrInvalid},
		{[]string{"", ""}, 1, series.ErrInvalid},
		{[]string{"NaN", "NaN"}, 1, series.ErrInvalid},
		{[]string{"-9223372036854775808", "9223372036854775807"}, 1, series.ErrInvalid}, // step overflows
		{[]string{"9223372036854775806", "9223372036854775807"}, 1, series.ErrInvalid},  // next overflows
		{[]string{"0", "1e308"}, 2, series.ErrInvalid},                                  // next overflows
	}
	for _, tc := range tests {
		if got, err := series.NextTimes(tc.times, tc.n); !errors.Is(err, tc.is) {
			t.Errorf("NextTimes(%q, %d) = %q, %v; want an error wrapping %v", tc.times, tc.n, got, err, tc.is)
		}
	}
}

// FuzzReadCSV checks that ReadCSV never panics, that its errors wrap a
// sentinel, and that a Table it returns is consistent. mode picks the
// header mode, the gap policy, and whether column 0 is the time column.
func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"a,b\n1,2\n3,4\n",
		"t,a,b\n1,2,3\n2,x y,4\n",
		"a,b\n1,2\n2,NA\n3,4\n",
		"a\n1\n-Inf\n1e999\n",
		"a,b,c\n1,2,3\n4,5\n",
		"a,b\n1,2\n3,4\n5,6,7\n",
		"a,b\n1,2\n3,4\"5\n",
		"",
		"\n \r\n",
		"\uFEFF",
		"a,b\n",
		"a,b\n1,2\n",
		"a\n1\nNA\nNA\n",
		"a,b\n1,NA\n2,\n",
		"a,b,a\n1,2,3\n4,5,6\n",
		",a\n1,2\n3,4\n",
		"\uFEFF\"date\", \"a b\"\r\n2024-01-01, \" 1.5 \"\r\n\"2024-01-02\",  -2e1 \r\n\r\n",
		"a,b\n\"p\nq\",1\nr,2x\n",
		"date,v\n2024-01-01,1\n2024-01-02,?\n2024-01-03,3\n",
		"date;co2\n1985-05;1\n1992-01;2\n1988-09;3\n",
		"t\tv\n1\t0x1p8\n2\t1_0\n3\t-nan\n",
		"a,b\n1,2\n3,\"4\n5,6\n",
		"date,time\n1,2\n2,3\n",
		"t,v\n1,NA\n2,1\n3,NA\n4,2\n5,3\n",
	}
	for i, s := range seeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, data string, mode uint8) {
		opt := series.CSVOptions{Header: series.HeaderMode(mode % 3), Gaps: series.GapPolicy(mode / 3 % 3)}
		if mode/9%2 == 1 {
			opt.Time = "0"
		}
		if mode/18%2 == 1 {
			opt.Delimiter = ';'
		}
		if mode/36%2 == 1 {
			opt.TimeNames = []string{"date", "time", "t"}
		}
		tab, err := series.ReadCSV(strings.NewReader(data), opt)
		if err != nil {
			if !errors.Is(err, series.ErrInvalid) && !errors.Is(err, series.ErrNaN) && !errors.Is(err, series.ErrTooShort) {
				t.Fatalf("ReadCSV error %v wraps no sentinel", err)
			}
			if !strings.HasPrefix(err.Error(), "series: ") {
				t.Fatalf("ReadCSV error %q does not start with series:", err)
			}
			return
		}
		if tab.Rows < 2 || len(tab.Names) == 0 || len(tab.Values) != tab.Rows*len(tab.Names) {
			t.Fatalf("ReadCSV gave %d rows of %d names and %d values", tab.Rows, len(tab.Names), len(tab.Values))
		}
		for k, v := range tab.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ReadCSV gave value %d = %v", k, v)
			}
		}
		if opt.Time != "" && tab.Time == nil || opt.TimeNames == nil && opt.Time == "" && tab.Time != nil ||
			tab.Time != nil && len(tab.Time) != tab.Rows {
			t.Fatalf("ReadCSV with Time %q gave %d times for %d rows", opt.Time, len(tab.Time), tab.Rows)
		}
		for _, name := range tab.Names {
			if _, err := tab.Column(name); err != nil {
				t.Fatalf("Column(%q) error = %v", name, err)
			}
		}
		for i, b := range tab.Breaks {
			if b <= 0 || b >= tab.Rows || i > 0 && b <= tab.Breaks[i-1] || tab.Dropped == 0 {
				t.Fatalf("ReadCSV gave breaks %v for %d rows, %d dropped", tab.Breaks, tab.Rows, tab.Dropped)
			}
		}
		if _, err := series.SlidingSegments(tab.Values, len(tab.Names), 0, 1, 1, tab.Breaks); err != nil && !errors.Is(err, series.ErrTooShort) {
			t.Fatalf("SlidingSegments over the table: %v", err)
		}
		_, _ = series.NextTimes(tab.Time, 3) // must not panic
	})
}

// Daily weather with two gaps: read the temperature and humidity with the
// dates as the time column, fill the gaps, and label a three-day forecast.
func ExampleReadCSV() {
	const data = `date,temp,humidity
2024-01-01,5.5,80
2024-01-02,NA,82
2024-01-03,6.5,
2024-01-04,7,79
`
	tab, err := series.ReadCSV(strings.NewReader(data), series.CSVOptions{
		Time: "date",
		Gaps: series.GapInterpolate,
		Name: "weather.csv",
	})
	if err != nil {
		log.Fatal(err)
	}
	nc := len(tab.Names)
	fmt.Println(tab.TimeName, tab.Names)
	for r := 0; r < tab.Rows; r++ {
		fmt.Println(tab.Time[r], tab.Values[r*nc:(r+1)*nc])
	}
	next, err := series.NextTimes(tab.Time, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("forecast for", next)

	// By default a gap is an error that says where it is.
	_, err = series.ReadCSV(strings.NewReader(data), series.CSVOptions{Time: "date", Name: "weather.csv"})
	fmt.Println(err)
	// Output:
	// date [temp humidity]
	// 2024-01-01 [5.5 80]
	// 2024-01-02 [6 82]
	// 2024-01-03 [6.5 80.5]
	// 2024-01-04 [7 79]
	// forecast for [2024-01-05 2024-01-06 2024-01-07]
	// series: read csv: weather.csv:3: column "temp" (index 1): missing value "NA"
}
