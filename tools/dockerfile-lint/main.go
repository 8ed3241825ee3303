// dockerfile-lint: BuildKit's own Dockerfile checks (the rules of `docker build --check`,
// https://docs.docker.com/reference/build-checks/) without a Docker engine or a network.
// Base images are not pulled: every FROM resolves to an empty linux image config, so the
// checks that need a base image's environment see none. Exits 1 on any warning or error.
//
//	go run . [Dockerfile...]   (scripts/deploy-tools.mjs builds it into tools/dockerfile-lint/bin)
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	digest "github.com/opencontainers/go-digest"
)

type offlineResolver struct{}

// ResolveImageConfig answers for every base image with an empty linux/amd64 image config.
func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	config := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	return ref, digest.FromBytes(config), config, nil
}

func lintFile(path string) (int, error) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	// The source the warnings point into, as the Dockerfile frontend describes it.
	src := llb.Local("dockerfile")
	def, err := src.Marshal(ctx)
	if err != nil {
		return 0, err
	}
	sourceMap := llb.NewSourceMap(&src, path, "Dockerfile", dt)
	sourceMap.Definition = def
	results, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		MetaResolver: offlineResolver{},
		SourceMap:    sourceMap,
	})
	if err != nil {
		return 0, err
	}
	if err := results.PrintTo(os.Stdout, nil); err != nil {
		return 0, err
	}
	problems := len(results.Warnings)
	if results.Error != nil {
		results.PrintErrorTo(os.Stdout, nil)
		problems++
	}
	return problems, nil
}

func main() {
	files := os.Args[1:]
	if len(files) == 0 {
		files = []string{"Dockerfile"}
	}
	total := 0
	for _, file := range files {
		n, err := lintFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dockerfile-lint: %s: %v\n", file, err)
			os.Exit(2)
		}
		if n == 0 {
			fmt.Printf("%s: no problems (BuildKit build checks)\n", file)
		}
		total += n
	}
	if total > 0 {
		os.Exit(1)
	}
}
