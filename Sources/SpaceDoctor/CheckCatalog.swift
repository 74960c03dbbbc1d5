/// How much a failed check matters.
package enum CheckSeverity: String, Sendable, Comparable, CaseIterable {
  /// It breaks the Space (or explains why it broke): `doctor DIR` exits 4.
  case error
  /// Likely to break it later (a rebuild, a duplicate, a visitor without quota).
  case warning
  /// Worth knowing; never changes the exit status.
  case hint

  var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .hint: 2
    }
  }

  package static func < (lhs: CheckSeverity, rhs: CheckSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// Where a check's next step sits in `reference/troubleshooting.md`'s order: configuration
/// first, then hardware, secrets, code (CUDA timing, GPU duration), pins, start-up tuning.
package enum CheckArea: Int, Sendable, Comparable {
  case config = 0
  case hardware, secrets, code, pins, startup

  package static func < (lhs: CheckArea, rhs: CheckArea) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One check as data: its id, what it looks at and why it matters (the README table is this).
package struct CheckDefinition: Sendable {
  package var id: String
  package var area: CheckArea
  /// The severity it usually has (some checks lower it when they are less sure; see `looksAt`).
  package var severity: CheckSeverity
  package var title: String
  package var looksAt: String
  package var why: String
  /// Only with a Space on the Hub (it needs the runtime or the variables).
  package var remoteOnly: Bool = false
}

/// A check that found something.
package struct CheckResult: Sendable, Equatable {
  package var id: String
  package var severity: CheckSeverity
  package var title: String
  /// Repository path, e.g. `README.md`, `app.py` (`nil` for the runtime).
  package var file: String?
  /// 1-based line in `file`.
  package var line: Int?
  /// What was found, with the values filled in.
  package var message: String
  /// What to do, in order.
  package var advice: [DoctorStep]
  package var area: CheckArea

  package init(
    _ definition: CheckDefinition, severity: CheckSeverity? = nil, file: String?, line: Int?, message: String,
    advice: [DoctorStep]
  ) {
    id = definition.id
    self.severity = severity ?? definition.severity
    title = definition.title
    self.file = file
    self.line = line
    self.message = message
    self.advice = advice
    area = definition.area
  }

  /// `README.md:3`, `app.py`, or `runtime`.
  package var location: String {
    guard let file else { return "runtime" }
    return line.map { "\(file):\($0)" } ?? file
  }
}

/// One next step: an action word (as in the catalog's advice) and its text.
package struct DoctorStep: Sendable, Equatable {
  package var action: String
  package var text: String
  package init(_ action: String, _ text: String) {
    self.action = action
    self.text = text
  }
}

/// Every check `doctor` runs.
package enum CheckCatalog {
  package static let frontMatterMissing = CheckDefinition(
    id: "check.front-matter-missing", area: .config, severity: .error, title: "README.md has no YAML front matter",
    looksAt: "README.md starts with a `---` block", why: "The Hub reads sdk, app_file and hardware from it; without it the Space is a CONFIG_ERROR.")
  package static let frontMatterInvalid = CheckDefinition(
    id: "check.front-matter-invalid", area: .config, severity: .error, title: "README.md front matter is not valid YAML",
    looksAt: "the `---` block parses as a YAML mapping", why: "The Hub rejects the push or shows Configuration error with no log.")
  package static let sdkUnknown = CheckDefinition(
    id: "check.sdk-unknown", area: .config, severity: .error, title: "sdk missing or unknown",
    looksAt: "`sdk:` is gradio, streamlit, docker or static", why: "The Hub cannot build a Space whose SDK it does not know.")
  package static let appFileMissing = CheckDefinition(
    id: "check.app-file-missing", area: .config, severity: .error, title: "the app file is not in the repository",
    looksAt: "`app_file` (default app.py; Dockerfile for docker, index.html for static) is committed",
    why: "NO_APP_FILE: the Space never builds.")
  package static let appPort = CheckDefinition(
    id: "check.app-port", area: .config, severity: .error, title: "Docker Space port",
    looksAt: "`app_port` against the Dockerfile's EXPOSE / --port",
    why: "The Hub sends traffic to 7860 unless app_port says otherwise; a server on another port never becomes healthy (launch timeout).")
  package static let sdkVersionUnpinned = CheckDefinition(
    id: "check.sdk-version-unpinned", area: .pins, severity: .warning, title: "sdk_version not set",
    looksAt: "`sdk_version` for gradio/streamlit", why: "Without it a rebuild or a duplicate gets today's SDK release, not the one the code was written for.")
  package static let pythonVersionUnpinned = CheckDefinition(
    id: "check.python-version-unpinned", area: .pins, severity: .warning, title: "python_version not set",
    looksAt: "`python_version` for gradio/streamlit", why: "The default Python moves (3.13 in 2026 images): old wheels and `audioop` users break on a rebuild.")
  package static let zeroGPUSDK = CheckDefinition(
    id: "check.zerogpu-sdk", area: .hardware, severity: .error, title: "ZeroGPU on an SDK other than Gradio",
    looksAt: "hardware (requested, current, `suggested_hardware`) zero-a10g with `sdk` ≠ gradio", why: "ZeroGPU runs Gradio Spaces only.")
  package static let spacesImportMissing = CheckDefinition(
    id: "check.zerogpu-import-missing", area: .code, severity: .error, title: "ZeroGPU without `import spaces`",
    looksAt: "the app file's imports on ZeroGPU hardware", why: "Without the spaces package no function gets a GPU: CUDA calls fail with No CUDA GPUs are available.")
  package static let cudaBeforeSpaces = CheckDefinition(
    id: "check.cuda-before-spaces", area: .code, severity: .error, title: "CUDA touched before `import spaces`",
    looksAt: "import-time statements (`torch.cuda.*`, `.cuda()`, `.to(\"cuda\")`, `device_map=\"cuda\"`) above `import spaces`",
    why: "CUDA has been initialized before importing the spaces package: the app dies at start-up.")
  package static let gpuDurationFree = CheckDefinition(
    id: "check.gpu-duration-free", area: .code, severity: .warning, title: "@spaces.GPU duration above a free visitor's quota",
    looksAt: "`@spaces.GPU(duration=N)` (size=\"xlarge\" counts double) above 120 s",
    why: "Anonymous visitors get 2 min a day and free accounts 3.5 min: a longer request is refused as an illegal duration (300 s has been seen to trigger it).")
  package static let gpuDurationMax = CheckDefinition(
    id: "check.gpu-duration-max", area: .code, severity: .error, title: "@spaces.GPU duration above 40 minutes",
    looksAt: "`@spaces.GPU(duration=N)` above 2400 s", why: "No caller, not even PRO, may request more than 40 min: every call fails (ZeroGPU illegal duration).")
  package static let hardwareFallback = CheckDefinition(
    id: "check.hardware-fallback", area: .hardware, severity: .error, title: "running on free CPU while the code needs a GPU",
    looksAt: "runtime hardware current = cpu-basic while the app uses spaces / CUDA",
    why: "A duplicate falls back to free CPU unless other hardware is chosen; GPU code then fails.",
    remoteOnly: true)
  package static let secretMissing = CheckDefinition(
    id: "check.secret-missing", area: .secrets, severity: .error, title: "the code reads a secret the Space does not have",
    looksAt: "`os.environ[\"X\"]`, `os.getenv(\"X\")`, `os.environ.get(\"X\")`, `st.secrets[\"X\"]` against the Space's variables and secrets",
    why: "Secrets are not copied to a duplicate: the app crashes with KeyError or runs without its token.", remoteOnly: true)
  package static let secretUnverified = CheckDefinition(
    id: "check.secret-unverified", area: .secrets, severity: .hint, title: "the code reads secrets",
    looksAt: "the same reads, when the Space's variables cannot be listed (a local folder, a token without write access)",
    why: "A duplicate has none of them until they are added in Settings.")
  package static let gradioPinMismatch = CheckDefinition(
    id: "check.gradio-pin-mismatch", area: .pins, severity: .error, title: "requirements.txt pins a gradio other than sdk_version",
    looksAt: "the `gradio` line of requirements.txt against `sdk_version`", why: "The image installs gradio==sdk_version in the same pip command: ResolutionImpossible.")
  package static let gradioZeroGPUOld = CheckDefinition(
    id: "check.gradio-zerogpu-old", area: .pins, severity: .error, title: "Gradio older than 4 on ZeroGPU",
    looksAt: "`sdk_version` (or the gradio pin) on ZeroGPU", why: "ZeroGPU is only compatible with Gradio 4+.")
  package static let gradioQuotaBug = CheckDefinition(
    id: "check.gradio-quota-bug", area: .pins, severity: .warning, title: "Gradio older than 5.12 on ZeroGPU (quota bug)",
    looksAt: "`sdk_version` (or the gradio pin) on ZeroGPU", why: "Gradio before 5.12.0 can charge logged-in and PRO visitors as anonymous (quota exceeded that is not real).")
  package static let unpinnedDependencies = CheckDefinition(
    id: "check.unpinned-dependencies", area: .pins, severity: .warning, title: "key packages unpinned",
    looksAt: "torch, numpy, gradio, huggingface_hub, transformers without ==, ~= or an upper bound (a warning when the last build is over 90 days old, else a hint)",
    why: "A rebuild resolves today's releases (numpy 2, huggingface_hub 1.0, …) and code that worked stops working.")
  package static let python313 = CheckDefinition(
    id: "check.python313-packages", area: .pins, severity: .error, title: "python_version 3.13+ with packages that need an older Python",
    looksAt: "python_version ≥ 3.13 with Gradio < 5 / pydub (audioop was removed) or pins older than the first 3.13 wheels",
    why: "An import of `audioop` fails at start-up (ModuleNotFoundError), or a source build fails.")
  package static let startupDownloads = CheckDefinition(
    id: "check.startup-downloads", area: .startup, severity: .warning, title: "model downloads at start-up without preload_from_hub",
    looksAt: "import-time `from_pretrained` / `snapshot_download` / `hf_hub_download` with no `preload_from_hub` (a warning when the runtime shows a launch timeout, else a hint)",
    why: "Big downloads at start-up count against the 30 min launch timeout; preload_from_hub moves them to build time.")
  package static let requirementsInclude = CheckDefinition(
    id: "check.requirements-include-missing", area: .pins, severity: .warning, title: "requirements.txt includes a file that is not there",
    looksAt: "`-r FILE` lines", why: "pip fails the build: Could not open requirements file.")

  /// Every check, in report order.
  package static let all: [CheckDefinition] = [
    frontMatterMissing, frontMatterInvalid, sdkUnknown, appFileMissing, appPort, zeroGPUSDK, hardwareFallback, secretMissing,
    secretUnverified, spacesImportMissing, cudaBeforeSpaces, gpuDurationMax, gpuDurationFree, gradioPinMismatch, gradioZeroGPUOld,
    gradioQuotaBug, python313, requirementsInclude, sdkVersionUnpinned, pythonVersionUnpinned, unpinnedDependencies, startupDownloads,
  ]
}
