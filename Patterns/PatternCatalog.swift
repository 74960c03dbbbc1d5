public import Foundation

/// The catalog bundled with space-triage: the YAML files under `Patterns/catalog/`.
public enum PatternCatalog {
  /// The folder holding the bundled `*.yaml` catalog files.
  public static var directory: URL {
    Bundle.module.url(forResource: "catalog", withExtension: nil)
      ?? Bundle.module.bundleURL.appendingPathComponent("catalog")
  }
}
