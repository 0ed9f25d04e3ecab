/// PersistentVolume, PersistentVolumeClaim and StorageClass validation.
extension Validator {
    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
    static let persistentVolumeSources = ["gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd",
                                          "iscsi", "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile",
                                          "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
                                          "scaleIO", "local", "storageos", "csi"]

    mutating func validateAccessModes(_ modes: JSONValue?, _ path: FieldPath, requiredDetail: String) {
        let list = modes?.arrayValue ?? []
        if list.isEmpty {
            add(FieldError.required(path, requiredDetail))
            return
        }
        for mode in list {
            if let m = mode.stringValue, Self.accessModes.contains(m) { continue }
            add(FieldError.notSupported(path, mode, Self.accessModes))
        }
        if list.contains(.string("ReadWriteOncePod")) && list.count > 1 {
            add(FieldError.forbidden(path, "may not use ReadWriteOncePod with other access modes"))
        }
    }

    /// `ValidatePersistentVolume`
    mutating func validatePersistentVolume(_ pv: JSONValue, old: JSONValue?) {
        let path = FieldPath("spec")
        let spec = pv["spec"] ?? .object([:])
        validateAccessModes(spec["accessModes"], path.child("accessModes"), requiredDetail: "")
        let capacity = spec["capacity"]?.objectValue ?? [:]
        if capacity.isEmpty {
            add(FieldError.required(path.child("capacity")))
        }
        if capacity["storage"] == nil || capacity.count > 1 {
            let rendered = "core.ResourceList{" + capacity.keys.sorted().map { key in
                "\(FieldError.quote(key)):\(FieldError.render(capacity[key]))"
            }.joined(separator: ", ") + "}"
            add(StatusCause(reason: StatusCause.Reason.notSupported,
                            message: "Unsupported value: \(rendered): supported values: \"storage\"",
                            field: path.child("capacity").description))
        }
        for (name, value) in capacity.sorted(by: { $0.key < $1.key }) {
            positiveQuantity(value, path.child("capacity").key(name))
        }
        let sources = Self.persistentVolumeSources.filter { spec[$0] != nil && spec[$0] != .null }
        if sources.isEmpty {
            add(FieldError.required(path, "must specify a volume type"))
        } else if sources.count > 1 {
            add(FieldError.forbidden(path.child(sources[1]), "may not specify more than 1 volume type"))
        }
        if let hostPath = spec["hostPath"], hostPath != .null { validateHostPath(hostPath, path.child("hostPath")) }
        if let local = spec["local"], local != .null {
            let p = local["path"]?.stringValue ?? ""
            if p.isEmpty { add(FieldError.required(path.child("local", "path"))) }
            if spec["nodeAffinity"] == nil || spec["nodeAffinity"] == .null {
                add(FieldError.required(path.child("nodeAffinity"), "Local volume requires node affinity"))
            }
        }
        if let nfs = spec["nfs"], nfs != .null {
            if (nfs["server"]?.stringValue ?? "").isEmpty { add(FieldError.required(path.child("nfs", "server"))) }
            let p = nfs["path"]?.stringValue ?? ""
            if p.isEmpty { add(FieldError.required(path.child("nfs", "path"))) }
            else if !p.hasPrefix("/") { add(FieldError.invalid(path.child("nfs", "path"), .string(p), "must be an absolute path")) }
        }
        supported(spec["persistentVolumeReclaimPolicy"], path.child("persistentVolumeReclaimPolicy"), ["Delete", "Recycle", "Retain"])
        supported(spec["volumeMode"], path.child("volumeMode"), ["Block", "Filesystem"])
        if let className = spec["storageClassName"]?.stringValue, !className.isEmpty {
            add(NameValidation.dns1123Subdomain(className), path.child("storageClassName"), className)
        }
        if let affinity = spec["nodeAffinity"], affinity != .null {
            let terms = affinity[path: ["required", "nodeSelectorTerms"]]?.arrayValue
            if affinity["required"] == nil || affinity["required"] == .null {
                add(FieldError.required(path.child("nodeAffinity", "required"), "must have at least one node selector term"))
            } else if terms?.isEmpty ?? true {
                add(FieldError.required(path.child("nodeAffinity", "required", "nodeSelectorTerms"), "must have at least one node selector term"))
            }
            for (i, term) in (terms ?? []).enumerated() {
                for (j, requirement) in (term["matchExpressions"]?.arrayValue ?? []).enumerated() {
                    let p = path.child("nodeAffinity", "required", "nodeSelectorTerms").index(i).child("matchExpressions").index(j)
                    supported(requirement["operator"], p.child("operator"), ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"], required: true)
                    let key = requirement["key"]?.stringValue ?? ""
                    add(NameValidation.qualifiedName(key), p.child("key"), key)
                }
            }
        }

        guard let old else { return }
        let oldSpec = old["spec"] ?? .object([:])
        // ValidatePersistentVolumeUpdate: the source and volume mode never change.
        var newSource: [String: JSONValue] = [:]
        var oldSource: [String: JSONValue] = [:]
        for key in Self.persistentVolumeSources {
            newSource[key] = spec[key]
            oldSource[key] = oldSpec[key]
        }
        if newSource != oldSource {
            add(FieldError.forbidden(FieldPath("spec.persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"))
        }
        immutable(spec["volumeMode"], oldSpec["volumeMode"], FieldPath("volumeMode"))
        if let oldAffinity = oldSpec["nodeAffinity"], oldAffinity != .null, spec["nodeAffinity"] != oldAffinity {
            add(FieldError.invalid(FieldPath("nodeAffinity"), rendered: "core.VolumeNodeAffinity{...}", "field is immutable"))
        }
        // Once bound, the claim relies on the class and access modes it was matched by.
        if old[path: ["status", "phase"]]?.stringValue == "Bound" {
            immutable(spec["storageClassName"], oldSpec["storageClassName"], path.child("storageClassName"))
            immutable(spec["accessModes"], oldSpec["accessModes"], path.child("accessModes"))
        }
    }

    mutating func validatePersistentVolumeStatus(_ pv: JSONValue) {
        supported(pv[path: ["status", "phase"]], FieldPath("status.phase"), ["Available", "Bound", "Failed", "Pending", "Released"])
    }

    /// `ValidatePersistentVolumeClaimSpec`
    mutating func validatePersistentVolumeClaimSpec(_ spec: JSONValue, _ path: FieldPath) {
        validateAccessModes(spec["accessModes"], path.child("accessModes"), requiredDetail: "at least 1 access mode is required")
        labelSelector(spec["selector"], path.child("selector"))
        let requests = spec[path: ["resources", "requests"]]?.objectValue ?? [:]
        if let storage = requests["storage"] {
            positiveQuantity(storage, path.child("resources").key("storage"))
        } else {
            add(FieldError.required(path.child("resources").key("storage")))
        }
        for (name, value) in requests where name != "storage" {
            quantity(value, path.child("resources", "requests").key(name))
        }
        for (name, value) in spec[path: ["resources", "limits"]]?.objectValue ?? [:] {
            quantity(value, path.child("resources", "limits").key(name))
        }
        if let className = spec["storageClassName"]?.stringValue, !className.isEmpty {
            add(NameValidation.dns1123Subdomain(className), path.child("storageClassName"), className)
        }
        supported(spec["volumeMode"], path.child("volumeMode"), ["Block", "Filesystem"])
        if let source = spec["dataSource"], source != .null {
            if (source["kind"]?.stringValue ?? "").isEmpty { add(FieldError.required(path.child("dataSource", "kind"))) }
            if (source["name"]?.stringValue ?? "").isEmpty { add(FieldError.required(path.child("dataSource", "name"))) }
        }
    }

    static let claimUpdateMessage = "spec is immutable after creation except resources.requests for bound claims"

    /// `ValidatePersistentVolumeClaim` + `…Update`: the spec never changes, except `volumeName`
    /// once (binding) and the storage request of a bound claim (growing only).
    mutating func validatePersistentVolumeClaim(_ pvc: JSONValue, old: JSONValue?) {
        let spec = pvc["spec"] ?? .object([:])
        validatePersistentVolumeClaimSpec(spec, FieldPath("spec"))
        guard let old else { return }
        var newSpec = spec
        var oldSpec = old["spec"] ?? .object([:])
        if (oldSpec["volumeName"]?.stringValue ?? "").isEmpty {
            oldSpec["volumeName"] = newSpec["volumeName"]
        }
        // Retroactive default StorageClass: a claim without a class may get one, once.
        if oldSpec["storageClassName"] == nil || oldSpec["storageClassName"] == .null,
           old[path: ["metadata", "annotations", "volume.beta.kubernetes.io/storage-class"]] == nil {
            oldSpec["storageClassName"] = newSpec["storageClassName"]
        }
        let bound = pvc[path: ["status", "phase"]]?.stringValue == "Bound"
        if bound {
            newSpec.update("resources", create: false) { resources in
                resources.update("requests", create: false) { $0["storage"] = oldSpec[path: ["resources", "requests", "storage"]] }
            }
        }
        if !Self.semanticallyEqual(newSpec, oldSpec) {
            add(FieldError.forbidden(FieldPath("spec"), Self.claimUpdateMessage))
        }
        if let oldSize = oldSpec[path: ["resources", "requests", "storage"]].flatMap({ try? Quantity($0) }),
           let newSize = spec[path: ["resources", "requests", "storage"]].flatMap({ try? Quantity($0) }),
           newSize < oldSize {
            add(FieldError.forbidden(FieldPath("spec.resources.requests.storage"), "field can not be less than previous value"))
        }
    }

    mutating func validatePersistentVolumeClaimStatus(_ pvc: JSONValue) {
        let status = pvc["status"] ?? .object([:])
        supported(status["phase"], FieldPath("status.phase"), ["Bound", "Lost", "Pending"])
        for (name, value) in status["capacity"]?.objectValue ?? [:] {
            quantity(value, FieldPath("status.capacity").key(name))
        }
        if let modes = status["accessModes"], modes != .null, !(modes.arrayValue ?? []).isEmpty {
            validateAccessModes(modes, FieldPath("status.accessModes"), requiredDetail: "")
        }
    }

    /// `ValidateStorageClass` + `…Update`
    mutating func validateStorageClass(_ sc: JSONValue, old: JSONValue?) {
        let provisioner = sc["provisioner"]?.stringValue ?? ""
        if provisioner.isEmpty {
            add(FieldError.required(FieldPath("provisioner")))
        } else {
            add(NameValidation.qualifiedName(provisioner.lowercased()), FieldPath("provisioner"), provisioner)
        }
        supported(sc["reclaimPolicy"], FieldPath("reclaimPolicy"), ["Delete", "Retain"])
        supported(sc["volumeBindingMode"], FieldPath("volumeBindingMode"), ["Immediate", "WaitForFirstConsumer"], required: true)
        var total = 0
        for (key, value) in sc["parameters"]?.objectValue ?? [:] {
            if key.isEmpty { add(FieldError.invalid(FieldPath("parameters"), .string(key), "field can not be empty.")) }
            total += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
        }
        if total > 256 * 1024 { add(FieldError.tooLong(FieldPath("parameters"), maxLength: 256 * 1024)) }
        guard let old else { return }
        if (sc["parameters"] ?? .null) != (old["parameters"] ?? .null) {
            add(FieldError.forbidden(FieldPath("parameters"), "updates to parameters are forbidden."))
        }
        if sc["provisioner"] != old["provisioner"] {
            add(FieldError.forbidden(FieldPath("provisioner"), "updates to provisioner are forbidden."))
        }
        if sc["reclaimPolicy"] != old["reclaimPolicy"] {
            add(FieldError.forbidden(FieldPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
        }
        immutable(sc["volumeBindingMode"], old["volumeBindingMode"], FieldPath("volumeBindingMode"))
    }
}
