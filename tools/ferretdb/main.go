// Command wschat-ferretdb runs FerretDB (SQLite backend) as wsChat's embedded,
// MongoDB-wire-compatible database.
//
// The upstream cmd/ferretdb binary panics when built with `go install`
// (FerretDB issue #2982: build/version/version.txt is generated and not part of
// the module), so wsChat embeds the library package instead.
//
// It prints one line "listening on <host:port>" to standard output once the
// listener accepts connections, then serves until SIGINT/SIGTERM. It also exits
// when its standard input closes with -stdin-watch, so that it can never outlive
// the wsChat process that started it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for the SQLite files (created if missing)")
	memory := flag.Bool("memory", false, "keep all data in memory (nothing is written to disk)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free port")
	stdinWatch := flag.Bool("stdin-watch", false, "exit when standard input is closed (parent died)")
	logLevel := flag.String("log-level", "warn", "log level on standard error: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("invalid -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	url, cleanup, err := sqliteURL(*dataDir, *memory)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()
	// log.Fatal skips deferred calls; fatal removes the -memory directory first.
	fatal := func(err error) {
		cleanup()
		log.Fatal(err)
	}

	addr, err := resolveListen(*listen)
	if err != nil {
		fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *stdinWatch {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: url,
	})
	if err != nil {
		fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	if err := waitListening(addr, done); err != nil {
		fatal(err)
	}
	fmt.Printf("listening on %s\n", addr)

	if err := <-done; err != nil && ctx.Err() == nil {
		fatal(err)
	}
}

// sqliteURL builds FerretDB's SQLite URL: scheme file, an existing directory, trailing slash.
//
// -memory does not use SQLite's "?mode=memory": with it, FerretDB v1.24 hangs on findAndModify. It uses a
// fresh directory on /dev/shm (RAM on Linux) instead, removed again on exit (see cleanup).
func sqliteURL(dir string, memory bool) (url string, cleanup func(), err error) {
	cleanup = func() {}
	if memory {
		base := ""
		if st, statErr := os.Stat("/dev/shm"); statErr == nil && st.IsDir() {
			base = "/dev/shm"
		}
		tmp, err := os.MkdirTemp(base, "wschat-ferretdb-")
		if err != nil {
			return "", cleanup, err
		}
		return "file:" + tmp + "/", func() { _ = os.RemoveAll(tmp) }, nil
	}
	if dir == "" {
		return "", cleanup, fmt.Errorf("either -data-dir or -memory is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", cleanup, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", cleanup, err
	}
	return "file:" + strings.TrimSuffix(abs, "/") + "/", cleanup, nil
}

// resolveListen turns port 0 into a concrete free port, because FerretDB
// does not report the port it picked.
func resolveListen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port != "0" {
		return addr, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitListening polls until the address accepts TCP connections or Run fails.
func waitListening(addr string, done <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("ferretdb stopped before listening: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("ferretdb did not listen on %s within 30s", addr)
}
