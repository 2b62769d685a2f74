// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "gfs",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gfs", targets: ["gfs"]),
        .library(name: "GFSClient", targets: ["GFSClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        // Latency percentiles for `gfs bench`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // etcd's v3 JSON gateway, for master election (GFS used Chubby).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // HMAC-SHA256 for the cluster secret's challenge–response (already in the graph through AHC).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Optional TLS on every connection (already in the graph through AHC).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // /metrics in Prometheus's text format, on every role's status port.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Intel ISA-L's CRC32C (`crc32_iscsi`), the checksum HDFS and Ceph use; Debian's libisal-dev.
        .systemLibrary(
            name: "CISAL",
            path: "Sources/CISAL",
            pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]
        ),
        // TreeDictionary is persistent: the master snapshots its state in O(1) for a checkpoint and keeps
        // mutating without copying the tables (GFS §2.6.3: checkpoints must not stall mutations).
        // GNU readline for `gfs shell`; Debian's libreadline-dev (its .pc file only adds warnings, so no pkgConfig).
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // SCM_RIGHTS for a chunkserver's descriptor socket: the CMSG_* macros do not reach Swift.
        .target(name: "CDescriptors"),
        .target(
            name: "GFSCore",
            dependencies: ["CISAL", .product(name: "HashTreeCollections", package: "swift-collections"),
                           .product(name: "DequeModule", package: "swift-collections"),
                           .product(name: "HeapModule", package: "swift-collections")]
        ),
        .target(
            name: "GFSProtocol",
            dependencies: ["GFSCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "GFSClient",
            dependencies: [
                "GFSCore", "GFSProtocol", "CDescriptors",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // The status pages, /status.json and /metrics that `--http` serves on the master and chunkservers.
        .target(
            name: "GFSWeb",
            dependencies: [
                "GFSCore", "GFSProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "GFSMaster",
            dependencies: [
                "GFSCore", "GFSProtocol", "GFSClient", "GFSWeb", "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "GFSChunkServer",
            dependencies: [
                "GFSCore", "GFSProtocol", "GFSClient", "GFSWeb",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "GFSCommands",
            dependencies: [
                "GFSCore", "GFSProtocol", "GFSClient", "GFSMaster", "GFSChunkServer", "CReadline", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(name: "gfs", dependencies: ["GFSCommands"]),
        .target(
            name: "GFSTestSupport",
            dependencies: ["GFSCore", "GFSProtocol", "GFSClient", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // The deterministic simulation: every role's state machine in one process, on a virtual clock, with
        // the network, disks and clocks misbehaving as a seed says (`make sim`).
        .target(
            name: "GFSSimulation",
            dependencies: ["GFSCore", "GFSProtocol", .product(name: "HeapModule", package: "swift-collections")]
        ),
        .testTarget(name: "GFSSimulationTests", dependencies: ["GFSSimulation", "GFSCore"]),
        .testTarget(name: "GFSCoreTests", dependencies: ["GFSCore", "GFSTestSupport"]),
        .testTarget(
            name: "GFSChunkServerTests",
            dependencies: [
                "GFSChunkServer", "GFSProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GFSProtocolTests",
            dependencies: [
                "GFSProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GFSIntegrationTests",
            dependencies: [
                "GFSTestSupport", "GFSProtocol", "GFSCore", "GFSClient", "GFSCommands", "gfs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (`make fuzz`): built only with GFS_FUZZ=1 and -sanitize=fuzzer, which supplies their main.
if ProcessInfo.processInfo.environment["GFS_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"))
    for name in ["FuzzWire", "FuzzMaster", "FuzzChunkServer"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["FuzzDriver", "GFSCore", "GFSProtocol",
                                                                            .product(name: "NIOCore", package: "swift-nio")],
                                                 path: "Fuzz/\(name)"))
    }
}
