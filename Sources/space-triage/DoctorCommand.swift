import ArgumentParser
import Foundation
import SpaceDoctor
import SpaceTriage

/// `space-triage doctor OWNER/NAME | DIR`: the whole Space in one report.
struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check a whole Space: runtime, hardware, README YAML, code, pins, secrets and logs in one report.",
    discussion: """
      doctor OWNER/NAME reads the Space from the Hub ($HF_ENDPOINT, default https://huggingface.co; \
      Authorization: Bearer $HF_TOKEN when set; GET requests only): its runtime stage and hardware, \
      a snapshot of its build and run logs (read until the stream ends or is quiet for --log-wait \
      seconds), README.md, requirements.txt, pre-requirements.txt, packages.txt, Dockerfile and the \
      app file, and its variables and secret names when the token may list them.

      doctor DIR checks a local clone of a Space repository, offline (a folder that exists wins \
      over OWNER/NAME: write ./owner/name for a folder of that name).

      Exit status: remote, the log verdict's status (0 healthy, 75 transient, 4 persistent, \
      3 unknown), or 4 when an error check explains the failure; DIR, 4 on any error check, else 0. \
      66 unknown Space, 77 token missing or refused, 74 network error, 64 usage.
      """)

  @OptionGroup var catalogOptions: CatalogOptions
  @OptionGroup var formatOptions: FormatOptions
  @OptionGroup var historyOptions: HistoryOptions

  @Option(name: .customLong("log-wait"), help: ArgumentHelp("Stop reading a log after this many seconds without a new line (and after this + 0.5 s in all).", valueName: "seconds"))
  var logWait: Double = 3

  @Argument(help: ArgumentHelp("OWNER/NAME of a Space on the Hub, or a folder with a clone of one.", valueName: "space-or-dir"))
  var target: String

  mutating func validate() throws {
    guard logWait.isFinite, logWait >= 0, logWait <= 600 else { throw ValidationError("--log-wait wants a number of seconds from 0 to 600.") }
    if formatOptions.format != .text && formatOptions.color == .always {
      throw ValidationError("--color always only applies to --format text; drop one of them.")
    }
  }

  func run() throws {
    var isDirectory: ObjCBool = false
    let isFolder = FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) && isDirectory.boolValue
    var report: DoctorReport
    do {
      if isFolder {
        report = try Doctor.local(directory: target)
      } else {
        guard Watch.isSpaceName(target), !target.hasPrefix("."), !target.hasPrefix("/") else {
          Output.error("`\(Redactor.standard.redact(target))` is neither a folder nor OWNER/NAME (e.g. gradio/hello_world)")
          throw ExitStatus.usage.exitCode
        }
        let environment = ProcessInfo.processInfo.environment
        guard let request = SpaceLogsRequest.fromEnvironment(environment, space: target, kind: .run) else {
          Output.error("HF_ENDPOINT must be an http(s) URL such as https://huggingface.co")
          throw ExitStatus.usage.exitCode
        }
        let catalog = try catalogOptions.compiledCatalog()
        report = try Doctor.remote(
          space: target, endpoint: request.endpoint, token: request.token, catalog: catalog, logWait: logWait)
      }
    } catch let error as SpaceLogsError {
      Output.error(error.message)
      switch error.kind {
      case .notFound: throw ExitStatus.cannotOpen.exitCode
      case .notAuthorised: throw ExitStatus.notAuthorised.exitCode
      case .network: throw ExitStatus.ioError.exitCode
      }
    }
    if !isFolder, let logs = report.logs { report = report.withLogs(historyOptions.record(logs, space: target, command: "doctor", attempts: report.attemptIndex)) }
    switch formatOptions.format {
    case .text: Output.write(report.text(color: formatOptions.useColor))
    case .json: Output.write(report.jsonText())
    case .ndjson: Output.write(report.ndjsonText())
    }
    throw ExitStatus(report.exitVerdict).exitCode
  }
}
