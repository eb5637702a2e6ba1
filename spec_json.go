package seqcast

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// specJSON is Spec without its JSON methods.
type specJSON Spec

// MarshalJSON writes s with its anchor always spelt out ("anchor": "last"
// for ""), so that the JSON reads back as trained whatever the default.
func (s Spec) MarshalJSON() ([]byte, error) {
	j := specJSON(s)
	j.Anchor = s.anchorKind()
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, and the JSON of older
// versions, which wrote no anchor for levels (the default then) and
// "delta": true for AnchorLast. A field that Spec lacks is an error.
func (s *Spec) UnmarshalJSON(b []byte) error {
	var j struct {
		specJSON
		Delta bool `json:"delta"` // older files: true for AnchorLast
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	switch {
	case j.Anchor == "" && j.Delta:
		j.Anchor = AnchorLast
	case j.Anchor == "":
		j.Anchor = AnchorNone
	case j.Delta && j.Anchor != AnchorLast:
		return fmt.Errorf("seqcast: spec: \"delta\": true is anchor %q, but the anchor is %q", AnchorLast, j.Anchor)
	}
	*s = Spec(j.specJSON)
	return nil
}
