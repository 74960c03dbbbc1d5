public import Foundation
import GRDB
import SpaceTriage

/// What `space-triage history` shows.
public struct HistorySummary: Sendable {
  public struct Run: Sendable {
    public var space: String
    public var time: Date
    public var command: String
    public var source: String
    public var verdict: String
    public var primary: String?
    public var escalated: Bool
  }
  /// A count with the first and last time it was seen.
  public struct Count: Sendable {
    public var key: String
    /// The template, for a fingerprint; the class, for an id.
    public var detail: String
    public var runs: Int
    public var spaces: Int
    public var first: Date
    public var last: Date
  }
  public struct Action: Sendable {
    public var space: String
    public var time: Date
    public var kind: String
    public var outcome: String
    public var detail: String
  }
  /// Runs counted in all.
  public var totalRuns: Int
  /// The most recent runs (at most `limit`), newest first.
  public var runs: [Run]
  public var ids: [Count]
  public var fingerprints: [Count]
  public var actions: [Action]
  public var first: Date?
  public var last: Date?

  /// Nothing recorded.
  package static let empty = HistorySummary(totalRuns: 0, runs: [], ids: [], fingerprints: [], actions: [], first: nil, last: nil)
}

extension HistoryStore {
  /// Runs of `space` (or every Space) since `since`: the newest `limit` runs, counts per finding
  /// id and per fingerprint with first/last seen, and heal's actions.
  public func summary(space: String?, since: Date?, limit: Int = 20) throws -> HistorySummary {
    try guarded {
      try queue.read { db in
        var filter = "1"
        var arguments: StatementArguments = []
        if let space {
          filter += " AND space = ?"
          _ = arguments.append(contentsOf: [space])
        }
        if let since {
          filter += " AND time >= ?"
          _ = arguments.append(contentsOf: [since.timeIntervalSince1970])
        }
        let totals = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(time), MAX(time) FROM run WHERE \(filter)", arguments: arguments)
        let total: Int = totals?[0] ?? 0
        let runs = try Row.fetchAll(
          db,
          sql: "SELECT space, time, command, source, verdict, primaryId, escalated FROM run WHERE \(filter) ORDER BY time DESC, id DESC LIMIT \(max(0, limit))",
          arguments: arguments
        ).map { row in
          HistorySummary.Run(
            space: row[0], time: Date(timeIntervalSince1970: row[1]), command: row[2], source: row[3], verdict: row[4],
            primary: row[5], escalated: row[6])
        }
        func counts(_ table: String, key: String, detail: String) throws -> [HistorySummary.Count] {
          try Row.fetchAll(
            db,
            sql: """
              SELECT \(key), MAX(\(detail)), COUNT(DISTINCT runId), COUNT(DISTINCT space), MIN(time), MAX(time)
              FROM \(table) WHERE \(filter) GROUP BY \(key) ORDER BY 3 DESC, 1 LIMIT 50
              """,
            arguments: arguments
          ).map { row in
            HistorySummary.Count(
              key: row[0], detail: row[1], runs: row[2], spaces: row[3], first: Date(timeIntervalSince1970: row[4]),
              last: Date(timeIntervalSince1970: row[5]))
          }
        }
        let actions = try Row.fetchAll(
          db, sql: "SELECT space, time, kind, outcome, detail FROM action WHERE \(filter) ORDER BY time DESC, id DESC LIMIT 50",
          arguments: arguments
        ).map { row in
          HistorySummary.Action(space: row[0], time: Date(timeIntervalSince1970: row[1]), kind: row[2], outcome: row[3], detail: row[4])
        }
        return HistorySummary(
          totalRuns: total, runs: runs, ids: try counts("runFinding", key: "findingId", detail: "class"),
          fingerprints: try counts("runFingerprint", key: "fingerprint", detail: "template"), actions: actions,
          first: (totals?[1] as Double?).map(Date.init(timeIntervalSince1970:)),
          last: (totals?[2] as Double?).map(Date.init(timeIntervalSince1970:)))
      }
    }
  }

  // MARK: - Heal's budget

  /// Records an action `heal` took (or tried) on `space`.
  @discardableResult
  package func recordAction(space: String, kind: String, outcome: String, detail: String = "", now: Date = Date()) throws -> Int64 {
    try guarded {
      try queue.write { db in
        try db.execute(
          sql: "INSERT INTO action (space, time, kind, outcome, detail) VALUES (?, ?, ?, ?, ?)",
          arguments: [space, now.timeIntervalSince1970, kind, outcome, detail])
        return db.lastInsertedRowID
      }
    }
  }

  /// Sets the outcome of a recorded action (once its watch ended).
  package func updateAction(_ id: Int64, outcome: String, detail: String) throws {
    try guarded {
      try queue.write { db in
        try db.execute(sql: "UPDATE action SET outcome = ?, detail = ? WHERE id = ?", arguments: [outcome, detail, id])
      }
    }
  }

  /// The kinds of action taken on `space` within `window` before `now` (`restart`, `factory-rebuild`),
  /// only those actually sent (outcome not `refused`).
  package func actionsTaken(space: String, within window: TimeInterval, now: Date = Date()) throws -> [String] {
    try guarded {
      try queue.read { db in
        try String.fetchAll(
          db, sql: "SELECT kind FROM action WHERE space = ? AND time >= ? AND time <= ? AND outcome != 'refused' ORDER BY time",
          arguments: [space, now.timeIntervalSince1970 - window, now.timeIntervalSince1970])
      }
    }
  }

  // MARK: - The incident rule

  /// Transient ids seen in runs of ≥ `minimum` distinct Spaces within `window` before `now`:
  /// id → the Spaces.
  package func transientSpread(within window: TimeInterval, now: Date = Date(), minimum: Int = 3) throws -> [String: [String]] {
    try guarded {
      try queue.read { db in
        var spread: [String: Set<String>] = [:]
        let rows = try Row.fetchAll(
          db,
          sql: "SELECT DISTINCT findingId, space FROM runFinding WHERE class = 'transient' AND time >= ? AND time <= ?",
          arguments: [now.timeIntervalSince1970 - window, now.timeIntervalSince1970])
        for row in rows { spread[row[0], default: []].insert(row[1]) }
        return spread.filter { $0.value.count >= minimum }.mapValues { $0.sorted() }
      }
    }
  }
}
