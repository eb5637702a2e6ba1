// Command seqcast trains and benchmarks sequence forecasters.
//
//	seqcast bench [flags]    train every experiment of the suite and print one table
//	seqcast train [flags]    train a forecaster on a CSV series and save it
//	seqcast predict [flags]  forecast the steps after a CSV series with a saved model
//	seqcast backtest [flags] rolling-origin evaluation of a model family on CSV series
//	seqcast import [flags]   make a model file from a PyTorch state_dict (safetensors)
//	seqcast export [flags]   write a model's weights as a PyTorch state_dict (safetensors)
//	seqcast help [command]   show help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/seqcast/seqcast/internal/atomicfile"
)

const usage = `seqcast trains recurrent and convolutional sequence forecasters.

Usage:
  seqcast <command> [flags]

Commands:
  bench     train the suite's experiments on the chapter's synthetic data and print one table
  train     train a forecaster on your own CSV series and save it to a model file
  predict   forecast the steps after the end of a CSV series with a saved model
  backtest  rolling-origin evaluation on CSV series (shards for an Indexed Job; "backtest merge")
  import    make a model file from a PyTorch state_dict saved in safetensors
  export    write a model's weights as a PyTorch state_dict in safetensors
  help      show help for a command
  version   print the version

Run "seqcast help <command>" or "seqcast <command> --help" for a command's flags.
`

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSignals(sigs, cancel, func() {
		atomicfile.RemoveTemps()
		fmt.Fprintln(os.Stderr, "seqcast: interrupted again: exiting now")
		os.Exit(130)
	})
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	atomicfile.RemoveTemps()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "seqcast:", err)
		if ctx.Err() != nil {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

// onSignals cancels the commands' context at the first signal (Ctrl-C), so
// that the command stops at its next check, cleans up and says what was
// left; at the second it calls exit, which ends the process at once.
func onSignals(sigs <-chan os.Signal, cancel func(), exit func()) {
	<-sigs
	cancel()
	<-sigs
	exit()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "train":
		return trainCmd(ctx, rest, stdout, stderr)
	case "predict":
		return predictCmd(ctx, rest, stdout, stderr)
	case "backtest":
		return backtestCmd(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(rest, stdout, stderr)
	case "export":
		return exportCmd(rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "seqcast", version())
		return nil
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
