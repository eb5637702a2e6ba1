package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs main itself when SEQCAST_TEST_MAIN is set, so that a test
// can run the command as a process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("SEQCAST_TEST_MAIN") == "1" {
		os.Args = append([]string{"seqcast"}, strings.Fields(os.Getenv("SEQCAST_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// TestCtrlC sends SIGINT to predict --mc-dropout 2000000000 running as a
// process: it must exit with status 130 within a second, saying so, and
// leave no temporary file.
func TestCtrlC(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a process")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "d.model")
	var o, e bytes.Buffer
	if err := run(context.Background(), []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3",
		"--epochs", "1", "--dropout", "0.2", "--quiet", "--out", model}, &o, &e); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SEQCAST_TEST_MAIN=1",
		"SEQCAST_TEST_ARGS=predict --model "+model+" --csv "+co2CSV+" --mc-dropout 2000000000 --out "+filepath.Join(dir, "f.csv"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // start-up (signal handling set), loading and the first passes
	cmd.Process.Signal(syscall.SIGINT)
	sent := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Errorf("exit %v; want status 130", err)
		}
		if d := time.Since(sent); d > time.Second {
			t.Errorf("exited %v after SIGINT", d)
		}
		if !strings.Contains(stderr.String(), "interrupted") {
			t.Errorf("stderr %q; want it to say interrupted", stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 10s after SIGINT")
	}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp") || e.Name() == "f.csv" {
			t.Errorf("left %s", e.Name())
		}
	}
}
