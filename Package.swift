// swift-tools-version:6.2
import PackageDescription

/// The release binary links the Swift runtime and Foundation in (what `--static-swift-stdlib` does):
/// the shared libraries (libswiftCore, libFoundation, ICU) cost about half of a small run's start-up
/// (Benchmarks/scripts/startup.py). `-static-stdlib` alone links no library that only the static
/// modules autolink, hence the list. Not libcurl (FoundationNetworking's transport): `LazyCurl`
/// loads it on the first network call, so that a run without network maps none of its ~30
/// libraries. A product that links the executable target's objects inherits these flags,
/// and XCTest and Testing exist only as shared libraries: so no test target depends on
/// `space-triage` (the tests run the binary; `swift test` builds every product anyway).
let staticRuntime: [LinkerSetting] = [
  .unsafeFlags(
    [
      "-static-stdlib", "-lCoreFoundation", "-l_CFURLSessionInterface", "-l_FoundationCShims",
      "-l_FoundationCollections", "-l_FoundationICU", "-lswiftSynchronization", "-lswift_StringProcessing",
      "-lswift_RegexParser", "-lswiftDispatch", "-lswiftGlibc",
    ],
    .when(platforms: [.linux], configuration: .release)
  )
]

let package = Package(
  name: "space-triage",
  // Linux needs no declaration. On macOS: `Duration` (FileFollower, the logs client's backoff)
  // needs macOS 13.
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "space-triage", targets: ["space-triage"]),
    .library(name: "SpaceTriage", targets: ["SpaceTriage"]),
    .library(name: "PatternCatalog", targets: ["PatternCatalog"]),
    .library(name: "SpaceDoctor", targets: ["SpaceDoctor"]),
    .library(name: "SpaceHistory", targets: ["SpaceHistory"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    // The history store (SQLite; needs libsqlite3-dev to build).
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // libpcre2-8 as a Swift module: a module map and a shim header, nothing else.
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"])]
    ),
    // The only module that touches PCRE2 pointers.
    .target(
      name: "PCRE2Swift",
      dependencies: ["CPCRE2"],
      swiftSettings: [.strictMemorySafety()]
    ),
    // The bundled catalog: YAML files, and their entries as a generated snapshot (no YAML
    // parsing at run time; `CatalogSnapshotTests` fails when it is stale).
    .target(
      name: "PatternCatalog",
      dependencies: ["SpaceTriage"],
      path: "Patterns",
      exclude: ["README.md"],
      resources: [.copy("catalog")]
    ),
    // The core: reading, decoding, matching, stages, verdicts, reports.
    .target(
      name: "SpaceTriage",
      dependencies: [
        "PCRE2Swift",
        "Yams",
        .product(name: "SystemPackage", package: "swift-system"),
        // SHA-256 of unrecognised-line templates (their fingerprints).
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      // The shipped build leaves out the run-time exclusivity checks (the triage's per-line
      // bookkeeping paid 2-3 % of its instructions for them); debug builds, and so the tests
      // and the sanitizer runs, keep them.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    // `doctor`: a whole Space (runtime, README YAML, code, pins, secrets, logs) in one report.
    .target(name: "SpaceDoctor", dependencies: ["SpaceTriage", "Yams", "SpaceHistory"]),
    // The history of runs per Space (SQLite through GRDB): escalation across runs, heal's budget.
    .target(name: "SpaceHistory", dependencies: ["SpaceTriage", .product(name: "GRDB", package: "GRDB.swift")]),
    // libcurl's functions that the statically linked FoundationNetworking calls, loading libcurl
    // on the first call (dlopen). Compiled where `staticRuntime` applies, empty elsewhere.
    .target(
      name: "LazyCurl",
      cSettings: [.define("LAZY_CURL", .when(platforms: [.linux], configuration: .release))]
    ),
    .executableTarget(
      name: "space-triage",
      dependencies: [
        .target(name: "LazyCurl", condition: .when(platforms: [.linux])),
        "SpaceTriage",
        "SpaceDoctor",
        "SpaceHistory",
        "PatternCatalog",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "SystemPackage", package: "swift-system"),
      ],
      linkerSettings: staticRuntime
    ),
    // Test helpers shared by test targets (the loopback HTTP server of the fakes); no product
    // and no non-test target depends on it, so it is never linked into what we ship.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "PCRE2SwiftTests", dependencies: ["PCRE2Swift"]),
    .testTarget(name: "SpaceTriageTests", dependencies: ["SpaceTriage"]),
    .testTarget(name: "CatalogTests", dependencies: ["SpaceTriage", "PatternCatalog"]),
    .testTarget(name: "CorpusTests", dependencies: ["SpaceTriage", "PatternCatalog"]),
    // CLITests, LiveTests and DoctorTests run `.build/<configuration>/space-triage` (see `staticRuntime`).
    .testTarget(name: "CLITests"),
    .testTarget(name: "LiveTests", dependencies: ["SpaceTriage", "TestSupport"]),
    .testTarget(name: "DoctorTests", dependencies: ["SpaceDoctor", "SpaceTriage", "PatternCatalog", "SpaceHistory", "TestSupport"]),
    .testTarget(name: "HistoryTests", dependencies: ["SpaceHistory", "SpaceTriage"]),
  ]
)

for target in package.targets where target.type != .system {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
  target.swiftSettings = settings
}
