import Foundation

/// Fixture Space repositories (path → text), written to temporary folders for `doctor DIR` and
/// served by ``FakeHub`` for `doctor OWNER/NAME`.
enum DoctorFixtures {
  /// A duplicate of a ZeroGPU Space that fell back to cpu-basic: it reads a secret the
  /// duplicate lacks, asks for duration=300, touches CUDA before `import spaces` and pins a
  /// gradio other than sdk_version.
  static let brokenDuplicate: [String: String] = [
    "README.md": """
    ---
    title: Upscaler
    emoji: 🔥
    colorFrom: blue
    colorTo: red
    sdk: gradio
    sdk_version: 5.49.1
    python_version: "3.10"
    app_file: app.py
    suggested_hardware: zero-a10g
    pinned: false
    ---

    # Upscaler
    """,
    "requirements.txt": """
    # runtime deps
    torch==2.5.1
    numpy==1.26.4
    transformers==4.46.3
    huggingface_hub==0.26.2
    gradio==4.44.1
    """,
    "app.py": """
    import os
    import torch
    from transformers import AutoModel

    device = torch.device("cuda")
    model = AutoModel.from_pretrained("acme/upscaler-x4").to("cuda")

    import spaces
    import gradio as gr

    client_key = os.environ["UPSCALER_API_KEY"]


    @spaces.GPU(duration=300)
    def upscale(image):
        return model(image.to("cuda"))


    demo = gr.Interface(upscale, gr.Image(), gr.Image())
    demo.launch()
    """,
  ]

  /// A ZeroGPU Space set up right.
  static let clean: [String: String] = [
    "README.md": """
    ---
    title: Clean
    sdk: gradio
    sdk_version: 5.49.1
    python_version: "3.10"
    app_file: app.py
    suggested_hardware: zero-a10g
    preload_from_hub:
      - acme/tiny-model
    ---
    """,
    "requirements.txt": """
    torch==2.5.1
    transformers==4.46.3
    """,
    "app.py": """
    import spaces
    import os
    import gradio as gr
    import torch

    MODEL = os.environ["MODEL_ID"]


    @spaces.GPU(duration=60)
    def run(text):
        return torch.ones(1).to("cuda").sum().item()


    gr.Interface(run, "text", "text").launch()
    """,
  ]

  static let brokenRunLog = [
    "===== Application Startup at 2026-11-30 10:05:00 =====",
    "",
    "INFO:launcher:importing app.py",
    "ERROR:launcher:app.py could not be imported: CUDA has been initialized before importing the `spaces` package. Try importing `spaces` before any other CUDA-related package.",
  ]

  static let buildLog = [
    "===== Build Queued at 2026-11-30 10:00:00 / Commit SHA: e9e3061 =====",
    "",
    "--> FROM docker.io/library/python:3.10@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "DONE 0.0s",
    "--> Pushing image",
    "DONE 1.0s",
  ]

  static let healthyRunLog = [
    "===== Application Startup at 2026-11-30 10:05:00 =====",
    "",
    "* Running on local URL:  http://0.0.0.0:7860",
    "Examples cached for 3 inputs.",
  ]

  /// Writes `files` to a fresh temporary folder; the caller removes it.
  static func folder(_ files: [String: String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("st-doctor-\(UUID().uuidString)")
    for (path, text) in files {
      let url = root.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    return root
  }

  /// `files` with `changes` applied (`nil` removes a file).
  static func with(_ files: [String: String], _ changes: [String: String?]) -> [String: String] {
    var result = files
    for (path, text) in changes { result[path] = text }
    return result
  }
}

/// Runs the built `space-triage` binary and captures what it prints.
enum DoctorRunner {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]) ?? [:]
    }
  }

  static var binary: URL {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDirectory, Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL] {
      let url = candidate.appendingPathComponent("space-triage")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/space-triage")
  }

  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// The bundled catalog, by path (the binary finds its own too; this keeps runs independent of it).
  static var catalogArguments: [String] { ["--no-builtin", "--patterns", packageRoot.appendingPathComponent("Patterns/catalog").path] }

  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    // The history store of these runs: never the user's own.
    env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("space-triage-test-state-\(ProcessInfo.processInfo.processIdentifier)").path
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "HF_TOKEN")
    env.removeValue(forKey: "HF_ENDPOINT")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("st-doctor-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outFile = scratch.appendingPathComponent("stdout")
    let errFile = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    let start = Date()
    try process.run()
    process.waitUntilExit()
    let seconds = Date().timeIntervalSince(start)
    return Result(
      status: process.terminationStatus,
      stdout: String(decoding: (try? Data(contentsOf: outFile)) ?? Data(), as: UTF8.self),
      stderr: String(decoding: (try? Data(contentsOf: errFile)) ?? Data(), as: UTF8.self), seconds: seconds)
  }
}
