import ArgumentParser

/// `minikube-swift`: a single-node Kubernetes whose pods are real namespaced processes.
@main
struct MinikubeSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minikube-swift",
        abstract: "A single-node Kubernetes whose pods are real Linux namespaced processes.",
        subcommands: [RuntimeCommand.self, ImageCommand.self, UpCommand.self, DownCommand.self, StatusCommand.self, ApplyCommand.self, GetCommand.self, DeleteCommand.self, LogsCommand.self]
    )
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Where the cluster keeps its state.")
    var dataDir: String = "/var/lib/minikube-swift"
}
