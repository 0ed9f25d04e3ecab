# minikube-swift: the commands a user and CI run. Each target is a script in hack/.
CONFIG ?= release
DATA_DIR ?= /var/lib/minikube-swift

.PHONY: up down deps build images test bench clean

## up: install deps, build, build and load the images, start the cluster
up: deps build images
	CONFIG=$(CONFIG) DATA_DIR=$(DATA_DIR) hack/up.sh

## down: stop the cluster (store and PV data stay)
down:
	CONFIG=$(CONFIG) DATA_DIR=$(DATA_DIR) hack/down.sh

deps:
	hack/install-deps.sh

# A static Swift standard library: the loader no longer relocates ~30 shared Swift libraries
# at every start (docs/BENCHMARKS.md, runtime section).
build:
	swift build -c $(CONFIG) --static-swift-stdlib

images:
	hack/build-images.sh

## test: unit tests and privileged integration tests (as root)
test: deps images
	hack/test.sh

## bench: benchmarks against peers; results in docs/BENCHMARKS.md
bench: deps images
	hack/bench/run-all.sh

clean:
	rm -rf .build images/out images/cache
