public import Foundation

/// The entries loaded from one or more catalog folders.
///
/// Later folders override entries of earlier ones with the same id, so a user catalog can
/// replace one bundled entry without copying the rest.
public struct Catalog: Sendable {
  /// The catalog format version this build understands.
  public static let schemaVersion = 1

  /// The entries, sorted by id.
  public private(set) var signatures: [Signature]
  /// The files the entries came from, in load order.
  public private(set) var files: [String]

  public init(signatures: [Signature] = [], files: [String] = []) {
    self.signatures = signatures.sorted { $0.id < $1.id }
    self.files = files
  }

  /// The entry with this id.
  public func signature(id: String) -> Signature? {
    signatures.first { $0.id == id }
  }

  /// Adds `other`'s entries; an entry with an id already present replaces it.
  public mutating func overlay(_ other: Catalog) {
    var byID = Dictionary(signatures.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    for signature in other.signatures { byID[signature.id] = signature }
    signatures = byID.values.sorted { $0.id < $1.id }
    files += other.files
  }

  /// Loads every `*.yaml` file of `directory` (sorted by name) and of `overlays` in turn.
  ///
  /// - Throws: ``CatalogDiagnostics`` naming every problem found (file, line, column, entry).
  public static func load(directories: [URL]) throws -> Catalog {
    var catalog = Catalog()
    var problems: [CatalogDiagnostic] = []
    for directory in directories {
      do {
        catalog.overlay(try CatalogLoader.loadDirectory(directory))
      } catch let diagnostics as CatalogDiagnostics {
        problems += diagnostics.diagnostics
      }
    }
    if !problems.isEmpty { throw CatalogDiagnostics(problems) }
    return catalog
  }
}
