import ArgumentParser

/// `minikube-swift image …`: the node's image store.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Load, list and remove images in the node's store.",
        subcommands: []
    )
}
