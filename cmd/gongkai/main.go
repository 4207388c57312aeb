// Command gongkai builds, checks and serves an open-government information
// disclosure portal from Markdown and YAML. Run "gongkai -h" for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"gongkai/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
