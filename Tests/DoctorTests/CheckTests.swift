import Foundation
import Testing

@testable import SpaceDoctor

/// Every check on a fixture repository: one that trips it (id, severity, file:line, values in
/// the advice) and, where it matters, one that must not.
struct CheckTests {
  static let now = ISO8601DateFormatter().date(from: "2026-12-01T12:00:00Z")!

  func run(
    _ files: [String: String], runtime: SpaceRuntimeInfo? = nil, variables: Set<String>? = nil, secrets: Set<String>? = nil,
    remote: Bool = false, lastBuild: Date? = nil, launchTimedOut: Bool = false
  ) -> [CheckResult] {
    var snapshot = remote ? SpaceSnapshot(space: "acme/demo") : SpaceSnapshot(directory: "/tmp/demo")
    snapshot.files = files
    snapshot.repoFiles = Set(files.keys)
    snapshot.runtime = runtime
    snapshot.variables = variables
    snapshot.secrets = secrets
    snapshot.lastBuild = lastBuild
    return SpaceChecks(snapshot: snapshot, launchTimedOut: launchTimedOut, now: CheckTests.now).run()
  }

  func only(_ id: String, _ results: [CheckResult]) -> CheckResult? {
    let matching = results.filter { $0.id == id }
    #expect(matching.count == 1, "\(id): \(results.map(\.id))")
    return matching.first
  }

  static func readme(_ lines: String) -> String { "---\n" + lines + "\n---\n# demo\n" }
  static let gradio = readme("sdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.10\"")
  static let cleanApp = "import gradio as gr\ngr.Interface(lambda x: x, \"text\", \"text\").launch()\n"

  @Test func frontMatterMissing() throws {
    let check = try #require(only("check.front-matter-missing", run(["README.md": "# Demo\n", "app.py": Self.cleanApp])))
    #expect(check.severity == .error)
    #expect(check.location == "README.md:1")
    let absent = try #require(only("check.front-matter-missing", run(["app.py": Self.cleanApp])))
    #expect(absent.message.contains("not in the repository"))
  }

  @Test func frontMatterInvalid() throws {
    let check = try #require(only("check.front-matter-invalid", run(["README.md": "---\nsdk: gradio\ntitle: [oops\n---\n", "app.py": Self.cleanApp])))
    #expect(check.severity == .error)
    #expect(check.file == "README.md")
    #expect((check.line ?? 0) >= 3)
  }

  @Test func sdkUnknown() throws {
    let check = try #require(only("check.sdk-unknown", run(["README.md": Self.readme("sdk: flask"), "app.py": Self.cleanApp])))
    #expect(check.location == "README.md:2")
    #expect(check.message.contains("sdk: flask"))
    #expect(run(["README.md": Self.gradio, "app.py": Self.cleanApp]).isEmpty)
  }

  @Test func appFileMissing() throws {
    let check = try #require(
      only("check.app-file-missing", run(["README.md": Self.readme("sdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.10\"\napp_file: src/main.py"), "app.py": Self.cleanApp])))
    #expect(check.location == "README.md:5")
    #expect(check.advice[0].text.contains("src/main.py"))
    let docker = try #require(only("check.app-file-missing", run(["README.md": Self.readme("sdk: docker\napp_port: 8080")])))
    #expect(docker.message.contains("Dockerfile"))
  }

  @Test func appPort() throws {
    let dockerfile = "FROM python:3.11\nEXPOSE 8000\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]\n"
    let check = try #require(only("check.app-port", run(["README.md": Self.readme("sdk: docker"), "Dockerfile": dockerfile])))
    #expect(check.severity == .error)
    #expect(check.location == "Dockerfile:2")
    #expect(check.advice[0].text.contains("app_port: 8000"))
    #expect(run(["README.md": Self.readme("sdk: docker\napp_port: 8000"), "Dockerfile": dockerfile]).isEmpty)
    let hint = try #require(only("check.app-port", run(["README.md": Self.readme("sdk: docker"), "Dockerfile": "FROM nginx\n"])))
    #expect(hint.severity == .hint)
  }

  @Test func sdkAndPythonVersionUnpinned() throws {
    let results = run(["README.md": Self.readme("sdk: gradio"), "app.py": Self.cleanApp])
    let sdk = try #require(only("check.sdk-version-unpinned", results))
    #expect(sdk.severity == .warning)
    #expect(sdk.location == "README.md:2")
    let python = try #require(only("check.python-version-unpinned", results))
    #expect(python.severity == .warning)
    // Docker picks its own Python: neither applies.
    #expect(run(["README.md": Self.readme("sdk: docker"), "Dockerfile": "FROM python:3.11\nEXPOSE 7860\n"]).isEmpty)
  }

  @Test func zeroGPUOnAnotherSDK() throws {
    let files = ["README.md": Self.readme("sdk: streamlit\nsdk_version: 1.40.0\npython_version: \"3.10\"\nsuggested_hardware: zero-a10g"), "app.py": "import streamlit as st\n"]
    let check = try #require(only("check.zerogpu-sdk", run(files)))
    #expect(check.severity == .error)
    #expect(check.message.contains("sdk is streamlit"))
    let remote = run(
      ["README.md": Self.readme("sdk: docker"), "Dockerfile": "FROM python\nEXPOSE 7860\n"],
      runtime: SpaceRuntimeInfo(stage: "RUNNING", hardwareCurrent: "zero-a10g", hardwareRequested: "zero-a10g"), remote: true)
    #expect(only("check.zerogpu-sdk", remote)?.message.contains("requested hardware") == true)
  }

  static let zeroReadme = readme("sdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.10\"\nsuggested_hardware: zero-a10g")

  @Test func spacesImportMissing() throws {
    let app = "import torch\nimport gradio as gr\ndef f(x):\n    return torch.ones(1).cuda()\n"
    let check = try #require(only("check.zerogpu-import-missing", run(["README.md": Self.zeroReadme, "app.py": app])))
    #expect(check.severity == .error)
    #expect(check.message.contains("line 4"))
    #expect(check.advice.map(\.action) == ["import-spaces-first", "move-cuda-into-gpu"])
  }

  @Test func cudaBeforeSpaces() throws {
    let app = """
      import torch
      # torch.cuda.init() in a comment does not count
      model = torch.nn.Linear(2, 2).cuda()
      if torch.cuda.is_available():
          torch.backends.cudnn.benchmark = True
      import spaces

      @spaces.GPU
      def f():
          return model(torch.ones(2).to("cuda"))
      """
    let check = try #require(only("check.cuda-before-spaces", run(["README.md": Self.zeroReadme, "app.py": app])))
    #expect(check.location == "app.py:3")
    #expect(check.message.contains("(line 6)"))
    #expect(check.message.contains("and 1 more: lines 4"))
    #expect(check.advice[0].text.contains("model = torch.nn.Linear(2, 2).cuda()"))
    let fixed = "import spaces\n" + app.replacingOccurrences(of: "import spaces\n", with: "")
    #expect(run(["README.md": Self.zeroReadme, "app.py": fixed]).isEmpty)
  }

  @Test func gpuDurations() throws {
    let app = """
      import spaces

      @spaces.GPU(duration=300)
      def long(): ...

      @spaces.GPU(duration=90, size="xlarge")
      def doubled(): ...

      @spaces.GPU(duration=45 * 60)
      def huge(): ...

      @spaces.GPU(duration=120)
      def fine(): ...
      """
    let results = run(["README.md": Self.zeroReadme, "app.py": app])
    let free = results.filter { $0.id == "check.gpu-duration-free" }
    #expect(free.map(\.location) == ["app.py:3", "app.py:6"])
    #expect(free.allSatisfy { $0.severity == .warning })
    #expect(free[0].message.contains("duration=300 s"))
    #expect(free[0].message.contains("210 s"))
    #expect(free[1].message.contains("counts double: 180 s"))
    let max = try #require(only("check.gpu-duration-max", results))
    #expect(max.severity == .error)
    #expect(max.location == "app.py:9")
    #expect(max.message.contains("duration=2700 s"))
  }

  @Test func hardwareFallback() throws {
    let app = "import spaces\nimport torch\n\n@spaces.GPU\ndef f():\n    return torch.ones(1).cuda()\n"
    let files = ["README.md": Self.zeroReadme, "app.py": app]
    let fellBack = SpaceRuntimeInfo(stage: "RUNTIME_ERROR", hardwareCurrent: "cpu-basic", hardwareRequested: "zero-a10g")
    let check = try #require(only("check.hardware-fallback", run(files, runtime: fellBack, variables: [], secrets: [], remote: true)))
    #expect(check.severity == .error)
    #expect(check.location == "app.py:4")
    #expect(check.message.contains("requested: zero-a10g"))
    #expect(check.advice[0].text.contains("zero-a10g"))
    // CPU code on cpu-basic is fine; so is a guarded device choice.
    let cpuApp = "import torch\nDEVICE = \"cuda\" if torch.cuda.is_available() else \"cpu\"\nmodel = M().to(DEVICE)\n"
    let onCPU = run(
      ["README.md": Self.gradio, "app.py": cpuApp], runtime: SpaceRuntimeInfo(stage: "RUNNING", hardwareCurrent: "cpu-basic"), remote: true)
    #expect(onCPU.filter { $0.id == "check.hardware-fallback" }.isEmpty)
  }

  static let secretApp = """
    import os
    import streamlit as st
    KEY = os.environ["MODEL_SECRET"]
    DEBUG = os.getenv("DEBUG_MODE", "0")
    SPACE = os.environ["SPACE_ID"]
    def f():
        return st.secrets["DB_PASSWORD"]
    """

  @Test func secretsMissingOnTheHub() throws {
    let files = ["README.md": Self.gradio, "app.py": Self.secretApp]
    let runtime = SpaceRuntimeInfo(stage: "RUNNING", hardwareCurrent: "cpu-basic")
    let results = run(files, runtime: runtime, variables: ["DEBUG_MODE"], secrets: ["OTHER"], remote: true)
    let missing = results.filter { $0.id == "check.secret-missing" }
    #expect(missing.map(\.location) == ["app.py:3", "app.py:7"])
    #expect(missing.allSatisfy { $0.severity == .error })
    #expect(missing[0].message.contains("MODEL_SECRET"))
    #expect(missing[0].message.contains("not copied"))
    #expect(missing[0].advice[0].text.contains("MODEL_SECRET"))
    // Present as a secret: nothing; a default makes it a warning.
    #expect(
      run(files, runtime: runtime, variables: ["DEBUG_MODE"], secrets: ["MODEL_SECRET", "DB_PASSWORD"], remote: true)
        .filter { $0.id.hasPrefix("check.secret") }.isEmpty)
    let optional = run(files, runtime: runtime, variables: [], secrets: ["MODEL_SECRET", "DB_PASSWORD"], remote: true)
    #expect(only("check.secret-missing", optional)?.severity == .warning)
  }

  @Test func secretsUnverifiable() throws {
    let files = ["README.md": Self.gradio, "app.py": Self.secretApp]
    let local = try #require(only("check.secret-unverified", run(files)))
    #expect(local.severity == .hint)
    #expect(local.message.contains("MODEL_SECRET, DEBUG_MODE, DB_PASSWORD"))
    #expect(!local.message.contains("SPACE_ID"))
    let remote = try #require(only("check.secret-unverified", run(files, runtime: SpaceRuntimeInfo(stage: "RUNNING"), remote: true)))
    #expect(remote.message.contains("write access"))
  }

  @Test func gradioPinMismatch() throws {
    let requirements = "torch==2.5.1\ngradio==4.44.1\n"
    let check = try #require(only("check.gradio-pin-mismatch", run(["README.md": Self.gradio, "app.py": Self.cleanApp, "requirements.txt": requirements])))
    #expect(check.severity == .error)
    #expect(check.location == "requirements.txt:2")
    #expect(check.message.contains("gradio==4.44.1"))
    #expect(check.message.contains("sdk_version: 5.49.1"))
    for agreeing in ["gradio==5.49.1\n", "gradio>=5.0,<6\n", "gradio\n", "gradio==4.0 ; sys_platform == \"win32\"\n"] {
      #expect(run(["README.md": Self.gradio, "app.py": Self.cleanApp, "requirements.txt": agreeing]).isEmpty, "\(agreeing)")
    }
  }

  @Test func oldGradioOnZeroGPU() throws {
    let app = "import spaces\n"
    let three = Self.readme("sdk: gradio\nsdk_version: 3.50.2\npython_version: \"3.10\"\nsuggested_hardware: zero-a10g")
    let old = try #require(only("check.gradio-zerogpu-old", run(["README.md": three, "app.py": app])))
    #expect(old.severity == .error)
    #expect(old.location == "README.md:3")
    let five = Self.readme("sdk: gradio\nsdk_version: 5.9.1\npython_version: \"3.10\"\nsuggested_hardware: zero-a10g")
    let quota = try #require(only("check.gradio-quota-bug", run(["README.md": five, "app.py": app])))
    #expect(quota.severity == .warning)
    #expect(quota.message.contains("5.9.1"))
    // Not on ZeroGPU: no quota bug to warn about.
    let cpu = Self.readme("sdk: gradio\nsdk_version: 5.9.1\npython_version: \"3.10\"")
    #expect(run(["README.md": cpu, "app.py": Self.cleanApp]).isEmpty)
  }

  @Test func unpinnedDependencies() throws {
    let requirements = "torch\nnumpy>=1.26\ntransformers==4.46.3\nhuggingface-hub\nscipy\n"
    let files = ["README.md": Self.gradio, "app.py": Self.cleanApp, "requirements.txt": requirements]
    let hint = try #require(only("check.unpinned-dependencies", run(files)))
    #expect(hint.severity == .hint)
    #expect(hint.message.contains("torch (line 1), numpy (line 2), huggingface-hub (line 4)"))
    let pre = try #require(
      only("check.unpinned-dependencies", run(["README.md": Self.gradio, "app.py": Self.cleanApp, "pre-requirements.txt": "torch\n", "requirements.txt": "numpy==2.1.3\n"])))
    #expect(pre.location == "pre-requirements.txt:1")
    let oldBuild = CheckTests.now.addingTimeInterval(-200 * 86400)
    let warning = try #require(only("check.unpinned-dependencies", run(files, runtime: SpaceRuntimeInfo(stage: "RUNNING"), remote: true, lastBuild: oldBuild)))
    #expect(warning.severity == .warning)
    #expect(warning.message.contains("200 days ago"))
  }

  @Test func python313WithOldPackages() throws {
    let readme = Self.readme("sdk: gradio\nsdk_version: 4.44.1\npython_version: \"3.13\"")
    let check = try #require(only("check.python313-packages", run(["README.md": readme, "app.py": Self.cleanApp, "requirements.txt": "numpy==1.26.4\npydub\n"])))
    #expect(check.severity == .error)
    #expect(check.location == "README.md:4")
    #expect(check.message.contains("Gradio 4.44.1 imports audioop"))
    #expect(check.message.contains("numpy ==1.26.4"))
    #expect(check.message.contains("pydub"))
    let fine = Self.readme("sdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.13\"")
    #expect(run(["README.md": fine, "app.py": Self.cleanApp, "requirements.txt": "numpy==2.1.3\npydub\naudioop-lts\n"]).isEmpty)
  }

  @Test func startupDownloads() throws {
    let app = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(\"acme/huge-model\")\ndef f():\n    return AutoModel.from_pretrained(\"acme/lazy\")\n"
    let files = ["README.md": Self.gradio, "app.py": app]
    let hint = try #require(only("check.startup-downloads", run(files)))
    #expect(hint.severity == .hint)
    #expect(hint.location == "app.py:2")
    #expect(!hint.message.contains("acme/lazy"))
    let warning = try #require(only("check.startup-downloads", run(files, runtime: SpaceRuntimeInfo(stage: "RUNTIME_ERROR"), remote: true, launchTimedOut: true)))
    #expect(warning.severity == .warning)
    #expect(warning.advice.map(\.action) == ["preload-from-hub", "raise-startup-timeout"])
    #expect(warning.advice[0].text.contains("acme/huge-model"))
    let preloaded = Self.readme("sdk: gradio\nsdk_version: 5.49.1\npython_version: \"3.10\"\npreload_from_hub:\n  - acme/huge-model")
    #expect(run(["README.md": preloaded, "app.py": app]).isEmpty)
  }

  @Test func requirementsIncludeMissing() throws {
    let check = try #require(only("check.requirements-include-missing", run(["README.md": Self.gradio, "app.py": Self.cleanApp, "requirements.txt": "-r base.txt\n"])))
    #expect(check.location == "requirements.txt:1")
  }

  @Test func everyCheckIsDefinedOnceAndDocumented() throws {
    let ids = CheckCatalog.all.map(\.id)
    #expect(Set(ids).count == ids.count)
    #expect(ids.allSatisfy { $0.hasPrefix("check.") })
    let readme = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
    for id in ids { #expect(readme.contains("| `\(id)` |"), "README checks table lacks \(id)") }
  }
}
