package import Foundation

/// The runtime of a Space as the Hub reports it (`SpaceRuntime` in `huggingface_hub`:
/// `stage`, `hardware.current`, `hardware.requested`; `errorMessage` is read from the raw JSON,
/// where the Hub puts it on error stages).
package struct SpaceRuntimeInfo: Sendable, Equatable {
  /// `RUNNING`, `BUILD_ERROR`, `RUNTIME_ERROR`, … (`SpaceStage`).
  package var stage: String
  /// `cpu-basic`, `zero-a10g`, … (`nil` while building for the first time).
  package var hardwareCurrent: String?
  /// What the owner asked for (`nil` if nothing was requested).
  package var hardwareRequested: String?
  /// `Launch timed out, workload was not healthy after 30 min`, `Scheduling failure: …`.
  package var errorMessage: String?

  package init(stage: String, hardwareCurrent: String? = nil, hardwareRequested: String? = nil, errorMessage: String? = nil) {
    self.stage = stage
    self.hardwareCurrent = hardwareCurrent
    self.hardwareRequested = hardwareRequested
    self.errorMessage = errorMessage
  }

  /// Reads a runtime object (`GET /api/spaces/{id}/runtime`, or `runtime` in `GET /api/spaces/{id}`).
  package init?(json: Any?) {
    guard let object = json as? [String: Any], let stage = object["stage"] as? String else { return nil }
    let hardware = object["hardware"] as? [String: Any]
    self.init(
      stage: stage, hardwareCurrent: hardware?["current"] as? String, hardwareRequested: hardware?["requested"] as? String,
      errorMessage: (object["errorMessage"] as? String).flatMap { $0.isEmpty ? nil : $0 })
  }

  /// Stages where the Space failed (`huggingface_hub`'s terminal error stages).
  package static let errorStages: Set<String> = ["BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE"]

  package var isError: Bool { SpaceRuntimeInfo.errorStages.contains(stage) }
}

/// Everything `doctor` read about one Space: its files and, for a Space on the Hub, its
/// runtime, variables and secrets.
package struct SpaceSnapshot: Sendable {
  /// `OWNER/NAME` for a Space read from the Hub.
  package var space: String?
  /// The folder for a local clone.
  package var directory: String?
  /// Text of the files read, by repository path (README.md, requirements.txt, the app file, …).
  package var files: [String: String] = [:]
  /// Every file path in the repository (the Hub's `siblings`, or the folder's files); `nil` if unknown.
  package var repoFiles: Set<String>?
  /// The runtime (remote only).
  package var runtime: SpaceRuntimeInfo?
  /// The `sdk` the Hub reports (remote only).
  package var hubSDK: String?
  package var isPrivate: Bool?
  /// Names of the Space's variables; `nil` when they could not be read (the token may not).
  package var variables: Set<String>?
  /// Names of the Space's secrets (values are never readable); `nil` when they could not be read.
  package var secrets: Set<String>?
  /// When the Space was last built (the last `Build Queued at` banner) or, failing that, last
  /// changed (`lastModified`).
  package var lastBuild: Date?
  /// Notes about what could not be read (shown in the report).
  package var notes: [String] = []
  /// Paths already asked for (remote), so none is fetched twice.
  var triedFiles: Set<String> = []

  package init(space: String? = nil, directory: String? = nil) {
    self.space = space
    self.directory = directory
  }

  package var isRemote: Bool { space != nil }

  /// The files `doctor` reads besides the app file.
  package static let configFiles = ["README.md", "requirements.txt", "pre-requirements.txt", "packages.txt", "Dockerfile"]
}
