package atrack_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	atrack "github.com/a-track-io/golang-sdk"
)

const landing = "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123"

func TestDocSnippetsAreTheDocumentationsText(t *testing.T) {
	candidates := []string{
		filepath.Join(repoRoot(), "..", "shared", "seed", "a-track-documentation.txt"),
		"/work/shared/seed/a-track-documentation.txt",
	}
	var doc []byte
	for _, path := range candidates {
		if data, err := os.ReadFile(path); err == nil {
			doc = data
			break
		}
	}
	if doc == nil {
		t.Skip("the documentation (shared/seed) is not beside this checkout")
	}
	if len(docSnippets) != 6 {
		t.Fatalf("expected the documentation's 6 Go examples, have %d", len(docSnippets))
	}
	for name, snippet := range docSnippets {
		if !bytes.Contains(doc, []byte(snippet)) {
			t.Errorf("the Go example %s is no longer the documentation's text", name)
		}
	}
}

// The program around the examples: each example is the body of a function whose
// parameters are the names it assumes (sdk, fullURL, rawURL, knownUUID...).
const snippetProgram = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	atrack "github.com/a-track-io/golang-sdk"
)

func realLife1() (*atrack.Client, error) {
%real_life_1_init%
	return sdk, err
}

func realLife2(sdk *atrack.Client, fullURL, rawURL string) (string, error) {
%real_life_2_read_uuid%
	return generatedUUID, err
}

func realLife3(sdk *atrack.Client, generatedUUID string) error {
%real_life_3_track%
	return err
}

func reference(knownUUID, fullURL, rawURL string) (*atrack.Client, string, error) {
%init%
	if err != nil {
		return nil, "", err
	}
	return sdk, result.UUID, nil
}

func setAttributes(sdk *atrack.Client) error {
%set_attributes%
	return err
}

func track(sdk *atrack.Client, knownUUID string) error {
%track%
	return err
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	fullURL, rawURL, knownUUID := os.Getenv("FULL_URL"), os.Getenv("RAW_URL"), os.Getenv("KNOWN_UUID")
	sdk, err := realLife1()
	must(err)
	out := map[string]string{"first": sdk.GetUserUUID()}
	generated, err := realLife2(sdk, fullURL, rawURL)
	must(err)
	out["generated"] = generated
	must(realLife3(sdk, generated))
	ref, resultUUID, err := reference(knownUUID, fullURL, rawURL)
	must(err)
	out["result"] = resultUUID
	must(setAttributes(ref))
	must(track(ref, knownUUID))
	must(json.NewEncoder(os.Stdout).Encode(out))
}
`

func TestDocSnippetsRunAgainstALiveService(t *testing.T) {
	svc := liveService(t)
	program := snippetProgram
	for name, snippet := range docSnippets {
		// Only the key changes; the endpoint comes from ATRACK_ENDPOINT.
		snippet = strings.ReplaceAll(snippet, `"your_public_key"`, strconv.Quote(svc.PublicKey))
		program = strings.Replace(program, "%"+name+"%", snippet, 1)
	}
	dir := t.TempDir()
	sdkDir, _ := filepath.Abs(".")
	goMod := "module snippets\n\ngo 1.19\n\nrequire github.com/a-track-io/golang-sdk v0.0.0\n\n" +
		"replace github.com/a-track-io/golang-sdk => " + sdkDir + "\n"
	write(t, filepath.Join(dir, "go.mod"), goMod)
	write(t, filepath.Join(dir, "main.go"), program)

	fullURL, knownUUID := "https://a-track.io/pricing?utm_source=newsletter#plans", atrack.NewUUID()
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ATRACK_ENDPOINT="+svc.Endpoint, "FULL_URL="+fullURL,
		"RAW_URL=/pricing?utm_source=newsletter", "KNOWN_UUID="+knownUUID,
		"GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("the examples failed: %v\n%s", err, stderr.String())
	}
	var out map[string]string
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}

	read := atrack.New(atrack.Options{Endpoint: svc.Endpoint, SecretKey: svc.SecretKey})
	first := showSession(t, read, out["first"]).Session
	if str(first.URLData.Href) != landing || str(first.URLData.SourceURL) != "https://partner.example.com/blog/first-touch" {
		t.Errorf("first session url_data: href %q source_url %q", str(first.URLData.Href), str(first.URLData.SourceURL))
	}
	if first.UTMData["utm_campaign"] != "spring-launch" || first.Source == nil || *first.Source != "google" {
		t.Errorf("first session attribution: utm %v source %v", first.UTMData, first.Source)
	}
	for _, id := range []string{"gclid", "fbclid", "fbc"} {
		if _, ok := first.ClickIDs[id]; !ok {
			t.Errorf("first session click_ids lack %s: %v", id, first.ClickIDs)
		}
	}

	generated := showSession(t, read, out["generated"])
	if str(generated.Session.URLData.Href) != fullURL {
		t.Errorf("generated session href %q", str(generated.Session.URLData.Href))
	}
	assertEvents(t, generated.Events, atrack.Attributes{"cart_value": 129.99, "currency": "USD", "step": "payment"})

	if out["result"] != knownUUID {
		t.Errorf("result.UUID %q, want the known UUID %q", out["result"], knownUUID)
	}
	reference := showSession(t, read, knownUUID)
	if !reflect.DeepEqual(reference.Attributes, atrack.Attributes{"plan": "pro", "signup_step": "landing"}) {
		t.Errorf("attributes %v", reference.Attributes)
	}
	assertEvents(t, reference.Events, atrack.Attributes{"cart_value": 129.99, "currency": "USD"})
}

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func showSession(t *testing.T, read *atrack.Client, uuid string) atrack.SessionData {
	t.Helper()
	shown, err := read.SessionShow(uuid, nil)
	if err != nil {
		t.Fatalf("session %s: %v", uuid, err)
	}
	return shown.Data
}

func assertEvents(t *testing.T, events []atrack.SessionEvent, attributes atrack.Attributes) {
	t.Helper()
	if len(events) != 1 || events[0].Name != "checkout_started" || !reflect.DeepEqual(events[0].Attributes, attributes) {
		t.Errorf("events %+v, want one checkout_started with %v", events, attributes)
	}
}
