import Foundation

/// One JSON record per pod under `<dataDir>/network/pods/<uid>.json`: what `status` answers and
/// how a restarted kubelet finds its sandboxes.
extension PodNetwork {
    var recordsDirectory: String { configuration.stateDirectory + "/pods" }

    private func recordPath(uid: String) -> String { recordsDirectory + "/" + uid + ".json" }

    func readRecord(uid: String) throws(PodNetworkError) -> PodNetworkStatus? {
        let path = recordPath(uid: uid)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(PodNetworkStatus.self, from: data)
        } catch {
            throw .io(step: "read the pod network record", path: path, reason: "\(error)")
        }
    }

    func writeRecord(_ status: PodNetworkStatus) throws(PodNetworkError) {
        let path = recordPath(uid: status.pod.uid)
        do {
            try FileManager.default.createDirectory(atPath: recordsDirectory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(status).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(step: "write the pod network record", path: path, reason: "\(error)")
        }
    }

    func removeRecord(uid: String) {
        unlink(recordPath(uid: uid))
    }

    func recordUIDs() throws(PodNetworkError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: recordsDirectory)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return []
        } catch {
            throw .io(step: "list pod network records", path: recordsDirectory, reason: "\(error)")
        }
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .filter { Self.isValid(uid: $0) }.sorted()
    }
}
