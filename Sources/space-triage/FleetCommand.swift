import ArgumentParser
import Foundation
import SpaceDoctor
import SpaceHistory
import SpaceTriage

/// `space-triage fleet --author NAME | --spaces FILE`: one table for many Spaces.
struct FleetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fleet",
    abstract: "Triage many Spaces at once: one table (Space, stage, hardware, verdict, primary, next step) and the incident rule.",
    discussion: """
      Lists the author's Spaces (GET /api/spaces?author=NAME, every page) or reads Space ids from FILE (one \
      OWNER/NAME a line, # comments), reads each runtime stage, and triages those not RUNNING, \
      SLEEPING or PAUSED with doctor's engine, --jobs at a time. GET requests only.
      Incident rule: the same transient id in 3 or more Spaces (of this fleet, or of the history \
      store) within 30 minutes is likely a platform incident: wait and check \
      https://status.huggingface.co; do not rebuild. It is printed above the table.
      Exit status: the most severe verdict among the Spaces (persistent > unknown > transient > \
      healthy); 77 when the listing is refused, 66 unknown author/file, 74 network error, 64 usage.
      """)
  @OptionGroup var catalogOptions: CatalogOptions
  @OptionGroup var historyOptions: HistoryOptions
  @Option(help: "Output format: text, json or ndjson.")
  var format: OutputFormat = .text
  @Option(help: ArgumentHelp("The Spaces of this user or organisation.", valueName: "name"))
  var author: String?
  @Option(help: ArgumentHelp("A file of Space ids, one OWNER/NAME a line.", valueName: "file"))
  var spaces: String?
  @Option(name: .shortAndLong, help: "Spaces read at once.")
  var jobs: Int = 4
  @Option(name: .customLong("log-wait"), help: ArgumentHelp("Stop reading a log after this many seconds without a new line.", valueName: "seconds"))
  var logWait: Double = 3

  mutating func validate() throws {
    guard (author == nil) != (spaces == nil) else { throw ValidationError("give either --author NAME or --spaces FILE.") }
    guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
    guard logWait.isFinite, logWait >= 0, logWait <= 600 else { throw ValidationError("--log-wait wants a number of seconds from 0 to 600.") }
    if let author, author.isEmpty || author.contains("/") { throw ValidationError("--author wants a user or organisation name.") }
  }

  func run() throws {
    let environment = ProcessInfo.processInfo.environment
    guard let request = SpaceLogsRequest.fromEnvironment(environment, space: "fleet/fleet", kind: .run) else {
      Output.error("HF_ENDPOINT must be an http(s) URL such as https://huggingface.co")
      throw ExitStatus.usage.exitCode
    }
    let catalog = try catalogOptions.compiledCatalog()
    let ids: [String]
    do {
      if let author {
        ids = try HubClient(endpoint: request.endpoint, space: author, token: request.token).listSpaces(author: author)
      } else {
        ids = try readSpaces(spaces ?? "")
      }
    } catch let error as SpaceLogsError {
      Output.error(error.message)
      throw FleetCommand.status(error.kind).exitCode
    }
    let now = HistoryOptions.now()
    let store = historyOptions.open()
    let recent = (try? store?.transientSpread(within: Fleet.incidentWindow, now: now, minimum: 1)) ?? [:]
    let rows = Fleet.run(
      spaces: ids, endpoint: request.endpoint, token: request.token, catalog: catalog, jobs: jobs, logWait: logWait, store: store,
      now: now, onStoreError: { HistoryOptions.warn($0) })
    let incidents = Fleet.incidents(rows, recent: recent, now: now)
    switch format {
    case .text: Output.write(Redactor.standard.redact(text(rows, incidents: incidents, author: author)))
    case .json:
      let document = JSONValue.object([
        ("incidents", .array(incidents.map(FleetCommand.json))), ("spaces", .array(rows.map(FleetCommand.json))),
        (
          "summary",
          .object([
            ("spaces", .int(rows.count)),
            (
              "verdicts",
              .object(
                Verdict.allCases.map { verdict in
                  (verdict.rawValue, .int(rows.filter { $0.verdict == verdict }.count))
                })
            ), ("unreadable", .int(rows.filter { $0.error != nil }.count)),
          ])
        ),
      ])
      Output.write(Redactor.standard.redact(document.serialized()) + "\n")
    case .ndjson:
      var out = ""
      for incident in incidents { out += FleetCommand.json(incident).serialized() + "\n" }
      for row in rows { out += FleetCommand.json(row).serialized() + "\n" }
      Output.write(Redactor.standard.redact(out))
    }
    if rows.isEmpty { throw ExitStatus.healthy.exitCode }
    let worst = rows.map(\.effectiveVerdict).max { $0.severity < $1.severity } ?? .healthy
    throw ExitStatus(worst).exitCode
  }

  static func status(_ kind: SpaceLogsError.Kind) -> ExitStatus {
    switch kind {
    case .notFound: .cannotOpen
    case .notAuthorised: .notAuthorised
    case .network: .ioError
    }
  }

  func readSpaces(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SpaceLogsError(.notFound, message: "cannot read the Spaces file \(path)")
    }
    var ids: [String] = []
    for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
      let id = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      if id.isEmpty { continue }
      guard Watch.isSpaceName(id) else { throw SpaceLogsError(.notFound, message: "\(path): `\(id)` is not OWNER/NAME") }
      if !ids.contains(id) { ids.append(id) }
    }
    return ids
  }

  static func json(_ incident: Fleet.Incident) -> JSONValue {
    .object([
      ("incident", .string(incident.id)), ("spaces", .array(incident.spaces.map(JSONValue.string))),
      ("advice", .string(Fleet.Incident.advice)),
    ])
  }

  static func json(_ row: Fleet.Row) -> JSONValue {
    .object([
      ("space", .string(row.space)), ("stage", .optional(row.stage)), ("hardware", .optional(row.hardware)),
      ("verdict", .optional(row.verdict?.rawValue)), ("primary", .optional(row.primary)),
      ("class", .optional(row.primaryClass?.rawValue)), ("escalated", .bool(row.escalated)),
      ("nextStep", .optional(row.nextStep)), ("error", .optional(row.error)),
    ])
  }

  func text(_ rows: [Fleet.Row], incidents: [Fleet.Incident], author: String?) -> String {
    var out = ""
    for incident in incidents {
      out += "INCIDENT  `\(incident.id)` in \(incident.spaces.count) Spaces within 30 minutes: \(Fleet.Incident.advice)\n"
      out += "  Spaces: \(incident.spaces.joined(separator: ", "))\n"
    }
    if !incidents.isEmpty { out += "\n" }
    let header = ["SPACE", "STAGE", "HARDWARE", "VERDICT", "PRIMARY", "NEXT STEP"]
    let table = rows.map { row -> [String] in
      let verdict = row.error != nil ? "error" : (row.stage == "SLEEPING" || row.stage == "PAUSED" ? row.stage!.lowercased() : (row.verdict?.rawValue ?? "-"))
      var next = row.error ?? row.nextStep ?? "-"
      if next.count > 70 { next = String(next.prefix(69)) + "…" }
      return [row.space, row.stage ?? "-", row.hardware ?? "-", verdict + (row.escalated ? "*" : ""), row.primary ?? "-", TextReporter.safe(next)]
    }
    let widths = (0..<header.count - 1).map { column in ([header] + table).map { $0[column].count }.max() ?? 0 }
    for line in [header] + table {
      out +=
        line.enumerated().map { index, cell in index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell }
        .joined(separator: "  ") + "\n"
    }
    let counts = Verdict.allCases.map { verdict in "\(rows.filter { $0.verdict == verdict && $0.error == nil }.count) \(verdict.rawValue)" }
    out += "\(rows.count) Spaces\(author.map { " of \($0)" } ?? ""): " + counts.joined(separator: ", ")
    let unreadable = rows.filter { $0.error != nil }.count
    if unreadable > 0 { out += ", \(unreadable) unreadable" }
    if rows.contains(where: \.escalated) { out += "  (* escalated across runs)" }
    return out + "\n"
  }
}
