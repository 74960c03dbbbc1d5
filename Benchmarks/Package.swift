// swift-tools-version:6.1
// Benchmarks live in their own package so `swift build` / `swift test` at the root never
// compile package-benchmark and its dependencies.
import PackageDescription

let package = Package(
  name: "benchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    // `name:` pins the identity; without it the identity is the checkout folder's name.
    .package(name: "space-triage", path: "../"),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "ClassifierBenchmarks",
      dependencies: [
        .product(name: "SpaceTriage", package: "space-triage"),
        .product(name: "PatternCatalog", package: "space-triage"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/ClassifierBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    .executableTarget(
      name: "HistoryBenchmarks",
      dependencies: [
        .product(name: "SpaceHistory", package: "space-triage"),
        .product(name: "SpaceTriage", package: "space-triage"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/HistoryBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ]
)
