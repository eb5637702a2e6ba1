package pytorch

import (
	"fmt"
	"os"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/atomicfile"
)

// ImportFile is Import from a state_dict saved in the safetensors file at
// path (safetensors.torch.save_file(model.state_dict(), path)).
func ImportFile(path string, net graph.Layer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("pytorch: %w", err)
	}
	if err := Import(net, b); err != nil {
		return fmt.Errorf("%w (%s)", err, path)
	}
	return nil
}

// ExportFile is Export to a safetensors file at path, written atomically,
// for model.load_state_dict(safetensors.torch.load_file(path)).
func ExportFile(path string, net graph.Layer, opt ExportOptions) error {
	b, err := Export(net, opt)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return fmt.Errorf("pytorch: %w", err)
	}
	return nil
}
