package atrack_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// service is the JSON line of sdks/contract/serve.py.
type service struct {
	Endpoint        string `json:"endpoint"`
	PublicKey       string `json:"public_key"`
	SecretKey       string `json:"secret_key"`
	LimitedEndpoint string `json:"limited_endpoint"`
	ProxyEndpoint   string `json:"proxy_endpoint"`
	FaultURL        string `json:"fault_url"`
	raw             map[string]any
}

var (
	launchOnce sync.Once
	launched   *service
	launchErr  error
	launchCmd  *exec.Cmd
	launchIn   io.WriteCloser
)

func TestMain(m *testing.M) {
	code := m.Run()
	if launchIn != nil {
		launchIn.Close() // the launcher stops when its stdin closes
		done := make(chan struct{})
		go func() { _ = launchCmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = launchCmd.Process.Kill()
		}
	}
	os.Exit(code)
}

// required reports whether a test that cannot reach a live service must fail, not skip.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("ATRACK_REQUIRE_SERVICES") != ""
}

// liveService starts sdks/contract/serve.py once for the whole test binary.
func liveService(t *testing.T) *service {
	t.Helper()
	launchOnce.Do(func() { launched, launchErr = launch() })
	if launchErr != nil {
		if required() {
			t.Fatalf("no live service: %v", launchErr)
		}
		t.Skipf("no live service (set ATRACK_PYTHON to the repository's .venv python): %v", launchErr)
	}
	return launched
}

func repoRoot() string {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	return root
}

func launch() (*service, error) {
	python := os.Getenv("ATRACK_PYTHON")
	if python == "" {
		python = filepath.Join(repoRoot(), ".venv", "bin", "python")
	}
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("python for the launcher: %w", err)
	}
	cmd := exec.Command(python, filepath.Join(repoRoot(), "sdks", "contract", "serve.py"))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	launchCmd, launchIn = cmd, stdin
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		s := &service{}
		if err := json.Unmarshal([]byte(line), s); err != nil {
			return nil, fmt.Errorf("serve.py printed %q: %w", line, err)
		}
		_ = json.Unmarshal([]byte(line), &s.raw)
		return s, nil
	case <-time.After(120 * time.Second):
		return nil, fmt.Errorf("serve.py did not start within 120 s")
	}
}
