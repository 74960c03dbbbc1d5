public import Foundation
import GRDB
public import SpaceTriage

/// The history of runs per Space: an embedded SQLite database (WAL, migrations, one writer at a
/// time with a busy timeout) that remembers every run that knew its Space, and every action
/// `heal` took.
///
/// Schema (migration `v1`):
/// - `run(id, space, time, command, source, verdict, primaryId, escalated, attempts)`;
/// - `runFinding(runId, space, time, findingId, class, attemptKey)`: the run's failure findings
///   (transient, persistent, failure), each with the identity of the attempt its evidence line
///   is in (see ``AttemptKey``);
/// - `runFingerprint(runId, space, time, fingerprint, template, count)`: unrecognised lines;
/// - `action(id, space, time, kind, outcome, detail)`: what `heal` did (`restart`,
///   `factory-rebuild`) and how it ended.
/// Times are seconds since 1970 (UTC).
public final class HistoryStore: @unchecked Sendable {
  // SAFETY (@unchecked Sendable): DatabaseQueue serialises every access.
  public let path: String
  let queue: DatabaseQueue

  /// The window in which a transient id in two distinct attempts escalates.
  package static let escalationWindow: TimeInterval = 24 * 3600

  /// Opens (creating it and its folder if needed) and migrates the store at `path`.
  ///
  /// - Throws: ``HistoryError`` naming the file and what is wrong with it.
  public init(path: String) throws {
    self.path = path
    do {
      let folder = (path as NSString).deletingLastPathComponent
      if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
      var configuration = Configuration()
      configuration.journalMode = .wal
      // Another space-triage process may be writing: wait for it (one writer at a time).
      configuration.busyMode = .timeout(10)
      configuration.label = "space-triage.history"
      // Two processes may open a new file at once. Switching a new file to WAL needs it alone,
      // and SQLite may answer SQLITE_BUSY at once rather than wait; and both may see no
      // migration applied, so that one creates the tables first and the other's CREATE fails.
      // Either way the other process is nearly done: open and migrate again.
      var opened: DatabaseQueue?
      var attempt = 0
      while opened == nil {
        do {
          let candidate = try DatabaseQueue(path: path, configuration: configuration)
          try HistoryStore.migrator.migrate(candidate)
          opened = candidate
        } catch let error as DatabaseError
          where attempt < 50 && [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_ERROR].contains(error.resultCode)
        {
          attempt += 1
          usleep(UInt32(10_000 + 5_000 * min(attempt, 20)))
        }
      }
      queue = opened!
    } catch let error as HistoryError {
      throw error
    } catch {
      throw HistoryError(path: path, underlying: error)
    }
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.create(table: "run") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("space", .text).notNull()
        t.column("time", .double).notNull()
        t.column("command", .text).notNull()
        t.column("source", .text).notNull()
        t.column("verdict", .text).notNull()
        t.column("primaryId", .text)
        t.column("escalated", .boolean).notNull()
        t.column("attempts", .integer).notNull()
      }
      try db.create(index: "run_space_time", on: "run", columns: ["space", "time"])
      try db.create(table: "runFinding") { t in
        t.column("runId", .integer).notNull().references("run", onDelete: .cascade)
        t.column("space", .text).notNull()
        t.column("time", .double).notNull()
        t.column("findingId", .text).notNull()
        t.column("class", .text).notNull()
        t.column("attemptKey", .text).notNull()
      }
      try db.create(index: "runFinding_space_time", on: "runFinding", columns: ["space", "time"])
      try db.create(index: "runFinding_id_time", on: "runFinding", columns: ["findingId", "time"])
      try db.create(index: "runFinding_run", on: "runFinding", columns: ["runId"])
      try db.create(table: "runFingerprint") { t in
        t.column("runId", .integer).notNull().references("run", onDelete: .cascade)
        t.column("space", .text).notNull()
        t.column("time", .double).notNull()
        t.column("fingerprint", .text).notNull()
        t.column("template", .text).notNull()
        t.column("count", .integer).notNull()
      }
      try db.create(index: "runFingerprint_space_time", on: "runFingerprint", columns: ["space", "time"])
      try db.create(index: "runFingerprint_run", on: "runFingerprint", columns: ["runId"])
      try db.create(table: "action") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("space", .text).notNull()
        t.column("time", .double).notNull()
        t.column("kind", .text).notNull()
        t.column("outcome", .text).notNull()
        t.column("detail", .text).notNull().defaults(to: "")
      }
      try db.create(index: "action_space_time", on: "action", columns: ["space", "time"])
    }
    return migrator
  }

  /// Runs `body` and turns any database error into a ``HistoryError`` naming the file.
  func guarded<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as HistoryError { throw error } catch { throw HistoryError(path: path, underlying: error) }
  }

  // MARK: - Recording runs

  /// What one run recorded.
  package struct Recorded: Sendable, Equatable {
    package var runId: Int64
    /// Distinct attempts (this run's included) in which the primary occurred within 24 h.
    package var primaryAttempts: Int
  }

  /// Records `report` for `space` and applies escalation across runs, in one write transaction
  /// (two processes recording at once see each other's runs in order).
  ///
  /// - Returns: the report as it should be printed (escalated when its transient primary came
  ///   back in ≥ 2 distinct attempts within 24 h, counting earlier runs) and what was recorded.
  package func record(_ report: Report, space: String, command: String, attempts index: AttemptIndex?, now: Date = Date()) throws -> (Report, Recorded) {
    try guarded {
      try queue.write { db in
        var report = report
        let time = now.timeIntervalSince1970
        var primaryAttempts = 0
        if let primary = report.primaryFinding, primary.signatureClass == .transient {
          let key = AttemptKey.of(primary, index: index)
          let earlier = try String.fetchSet(
            db,
            sql: """
              SELECT DISTINCT attemptKey FROM runFinding
              WHERE space = ? AND findingId = ? AND time >= ? AND time <= ?
              """,
            arguments: [space, primary.id, time - HistoryStore.escalationWindow, time])
          primaryAttempts = earlier.union([key]).count
          if !report.escalated && primaryAttempts >= 2 {
            report = Escalation.escalate(report, attempts: primaryAttempts, space: space)
          }
        }
        try db.execute(
          sql: "INSERT INTO run (space, time, command, source, verdict, primaryId, escalated, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          arguments: [space, time, command, report.source, report.verdict.rawValue, report.primary, report.escalated, report.attempts])
        let runId = db.lastInsertedRowID
        for finding in report.findings where finding.signatureClass.isFailure {
          try db.execute(
            sql: "INSERT INTO runFinding (runId, space, time, findingId, class, attemptKey) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [runId, space, time, finding.id, finding.signatureClass.rawValue, AttemptKey.of(finding, index: index)])
        }
        for line in report.unrecognized {
          try db.execute(
            sql: "INSERT INTO runFingerprint (runId, space, time, fingerprint, template, count) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [runId, space, time, line.fingerprint, line.template, line.count])
        }
        return (report, Recorded(runId: runId, primaryAttempts: primaryAttempts))
      }
    }
  }

  /// A run as stored, for bulk inserts (imports, benchmarks).
  public struct RunRecord: Sendable {
    public var space: String
    public var time: Date
    public var command: String
    public var source: String
    public var verdict: Verdict
    public var primary: String?
    public var findings: [(id: String, signatureClass: SignatureClass, attemptKey: String)]
    public var fingerprints: [(fingerprint: String, template: String, count: Int)]

    public init(
      space: String, time: Date, command: String, source: String, verdict: Verdict, primary: String?,
      findings: [(id: String, signatureClass: SignatureClass, attemptKey: String)] = [],
      fingerprints: [(fingerprint: String, template: String, count: Int)] = []
    ) {
      self.space = space
      self.time = time
      self.command = command
      self.source = source
      self.verdict = verdict
      self.primary = primary
      self.findings = findings
      self.fingerprints = fingerprints
    }
  }

  /// Inserts runs as they are (no escalation), all in one transaction.
  public func insert(_ records: [RunRecord]) throws {
    try guarded {
      try queue.write { db in
        let run = try db.makeStatement(
          sql: "INSERT INTO run (space, time, command, source, verdict, primaryId, escalated, attempts) VALUES (?, ?, ?, ?, ?, ?, 0, 1)")
        let finding = try db.makeStatement(
          sql: "INSERT INTO runFinding (runId, space, time, findingId, class, attemptKey) VALUES (?, ?, ?, ?, ?, ?)")
        let fingerprint = try db.makeStatement(
          sql: "INSERT INTO runFingerprint (runId, space, time, fingerprint, template, count) VALUES (?, ?, ?, ?, ?, ?)")
        for record in records {
          let stamp = record.time.timeIntervalSince1970
          try run.execute(arguments: [record.space, stamp, record.command, record.source, record.verdict.rawValue, record.primary])
          let runId = db.lastInsertedRowID
          for item in record.findings {
            try finding.execute(arguments: [runId, record.space, stamp, item.id, item.signatureClass.rawValue, item.attemptKey])
          }
          for item in record.fingerprints {
            try fingerprint.execute(arguments: [runId, record.space, stamp, item.fingerprint, item.template, item.count])
          }
        }
      }
    }
  }
}

/// The store could not be used: the file, and why.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
  public var path: String
  public var message: String

  init(path: String, underlying: any Error) {
    self.path = path
    var reason = "\(underlying)"
    if let error = underlying as? DatabaseError {
      switch error.resultCode {
      case .SQLITE_NOTADB, .SQLITE_CORRUPT: reason = "the file is not a space-triage history database (corrupt?): move it away or pass --history PATH"
      case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
        reason = "cannot write it (read-only file or folder?): \(error.message ?? "\(error.resultCode)")"
      case .SQLITE_BUSY, .SQLITE_LOCKED: reason = "another process kept it locked for more than 10 s"
      default: reason = error.message ?? "\(error)"
      }
    }
    self.message = reason
  }

  public var description: String { "history \(path): \(message)" }
}

extension HistoryStore {
  /// `$XDG_STATE_HOME/space-triage/history.sqlite`, or `~/.local/state/space-triage/history.sqlite`.
  package static func defaultPath(environment: [String: String]) -> String {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
      return state + "/space-triage/history.sqlite"
    }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return home + "/.local/state/space-triage/history.sqlite"
  }
}
