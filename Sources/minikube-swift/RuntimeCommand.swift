import ArgumentParser

/// `minikube-swift runtime …`: drive the container runtime directly, for debugging and benchmarks.
struct RuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run containers directly with the node's runtime.",
        subcommands: []
    )
}
