import ArgumentParser
import Foundation
import SpaceHistory
import SpaceTriage

/// `space-triage history [OWNER/NAME] [--since 7d]`: what earlier runs saw.
struct HistoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "List recorded runs of a Space (or of all Spaces): verdicts, counts per id and per fingerprint, heal's actions.",
    discussion: """
      Every classify (with --space-name), watch (with --space or --space-name) and doctor run of a \
      Space is recorded in the history database ($XDG_STATE_HOME/space-triage/history.sqlite, else \
      ~/.local/state/space-triage/history.sqlite; --history PATH to choose). A transient failure \
      seen in two distinct attempts of a Space within 24 h escalates to persistent across runs.
      Exit status: 0; 66 when the history cannot be read; 64 usage.
      """)
  @OptionGroup var historyOptions: HistoryOptions
  @Option(help: "Output format: text, json or ndjson (one run per line).")
  var format: OutputFormat = .text
  @Option(help: ArgumentHelp("Only runs of the last DURATION: 90s, 30m, 24h, 7d, 2w.", valueName: "duration"))
  var since: String?
  @Option(help: "How many recent runs to list.")
  var limit: Int = 20
  @Argument(help: ArgumentHelp("A Space; all Spaces when omitted.", valueName: "owner/name"))
  var space: String?

  mutating func validate() throws {
    if historyOptions.noHistory { throw ValidationError("history reads the history; drop --no-history.") }
    if let space, !Watch.isSpaceName(space) { throw ValidationError("wants OWNER/NAME (got `\(Redactor.standard.redact(space))`).") }
    if let since, HistoryCommand.seconds(since) == nil { throw ValidationError("--since wants a duration such as 30m, 24h or 7d (got `\(since)`).") }
    guard limit >= 0 else { throw ValidationError("--limit must be 0 or more.") }
  }

  /// `30m` → 1800.
  static func seconds(_ text: String) -> TimeInterval? {
    guard let unit = text.last, let number = Double(text.dropLast()), number >= 0, number.isFinite else { return nil }
    switch unit {
    case "s": return number
    case "m": return number * 60
    case "h": return number * 3600
    case "d": return number * 86400
    case "w": return number * 7 * 86400
    default: return nil
    }
  }

  func run() throws {
    guard let path = historyOptions.path else { return }
    let summary: HistorySummary
    if !FileManager.default.fileExists(atPath: path) {
      summary = .empty
    } else {
      do {
        let store = try HistoryStore(path: path)
        let start = since.flatMap(HistoryCommand.seconds).map { HistoryOptions.now().addingTimeInterval(-$0) }
        summary = try store.summary(space: space, since: start, limit: limit)
      } catch {
        Output.error(Redactor.standard.redact("\(error)"))
        throw ExitStatus.cannotOpen.exitCode
      }
    }
    switch format {
    case .text: Output.write(text(summary, path: path))
    case .json: Output.write(json(summary).serialized() + "\n")
    case .ndjson: Output.write(summary.runs.map { HistoryCommand.json($0).serialized() + "\n" }.joined())
    }
  }

  static func stamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  static func json(_ run: HistorySummary.Run) -> JSONValue {
    .object([
      ("space", .string(run.space)), ("time", .string(stamp(run.time))), ("command", .string(run.command)),
      ("source", .string(Redactor.standard.redact(run.source))), ("verdict", .string(run.verdict)),
      ("primary", run.primary.map(JSONValue.string) ?? .null), ("escalated", .bool(run.escalated)),
    ])
  }

  func json(_ summary: HistorySummary) -> JSONValue {
    func count(_ item: HistorySummary.Count, detail: String) -> JSONValue {
      .object([
        (detail == "class" ? "id" : "fingerprint", .string(item.key)), (detail, .string(Redactor.standard.redact(item.detail))),
        ("runs", .int(item.runs)), ("spaces", .int(item.spaces)), ("firstSeen", .string(Self.stamp(item.first))),
        ("lastSeen", .string(Self.stamp(item.last))),
      ])
    }
    return .object([
      ("space", space.map(JSONValue.string) ?? .null), ("runs", .int(summary.totalRuns)),
      ("firstSeen", summary.first.map { .string(Self.stamp($0)) } ?? .null),
      ("lastSeen", summary.last.map { .string(Self.stamp($0)) } ?? .null),
      ("recent", .array(summary.runs.map(Self.json))),
      ("ids", .array(summary.ids.map { count($0, detail: "class") })),
      ("fingerprints", .array(summary.fingerprints.map { count($0, detail: "template") })),
      (
        "actions",
        .array(
          summary.actions.map { action in
            .object([
              ("space", .string(action.space)), ("time", .string(Self.stamp(action.time))), ("action", .string(action.kind)),
              ("outcome", .string(action.outcome)), ("detail", .string(Redactor.standard.redact(action.detail))),
            ])
          })
      ),
    ])
  }

  func text(_ summary: HistorySummary, path: String) -> String {
    let who = space ?? "all Spaces"
    guard summary.totalRuns > 0 || !summary.actions.isEmpty else {
      return "no runs of \(who) recorded\(since.map { " in the last \($0)" } ?? "") (history: \(path))\n"
    }
    var out = "\(summary.totalRuns) run(s) of \(who)"
    if let first = summary.first, let last = summary.last { out += ", \(Self.stamp(first)) … \(Self.stamp(last))" }
    out += "\n"
    if !summary.runs.isEmpty {
      out += "  recent runs:\n"
      for run in summary.runs {
        let primary = run.primary.map { " \($0)" } ?? ""
        let escalated = run.escalated ? " (escalated)" : ""
        let name = space == nil ? " \(run.space)" : ""
        out += "    \(Self.stamp(run.time))\(name) \(run.command) \(run.verdict.uppercased())\(primary)\(escalated)\n"
      }
    }
    if !summary.ids.isEmpty {
      out += "  failures by id (runs, first seen … last seen):\n"
      for item in summary.ids {
        out += "    \(item.key) [\(item.detail)] \(item.runs) run(s)\(space == nil ? " in \(item.spaces) Space(s)" : ""), \(Self.stamp(item.first)) … \(Self.stamp(item.last))\n"
      }
    }
    if !summary.fingerprints.isEmpty {
      out += "  unrecognised lines by fingerprint:\n"
      for item in summary.fingerprints {
        out += "    \(item.key) \(item.runs) run(s), \(Self.stamp(item.first)) … \(Self.stamp(item.last)): \(TextReporter.safe(Redactor.standard.redact(item.detail)))\n"
      }
    }
    if !summary.actions.isEmpty {
      out += "  heal actions:\n"
      for action in summary.actions {
        out += "    \(Self.stamp(action.time)) \(action.space) \(action.kind): \(action.outcome)\(action.detail.isEmpty ? "" : " (\(TextReporter.safe(action.detail)))")\n"
      }
    }
    return out
  }
}
