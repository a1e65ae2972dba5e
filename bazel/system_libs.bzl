"""The `@system_libs` repository: Debian's C++ libraries as cc_library targets.

Each target's link flags come from `pkg-config --libs` at fetch time, so the
link line is the one the packages ship (gRPC needs a long tail of Abseil
libraries that `-lgrpc++` alone misses). Headers are in /usr/include, which
the compiler already searches. Use the aliases in //bazel (e.g.
`//bazel:grpc`) rather than these targets directly.
"""

# Bazel target name -> (pkg-config modules, flags when pkg-config lacks them).
_LIBS = {
    "grpc": (["grpc++", "grpc", "protobuf"], []),
    "protobuf": (["protobuf"], []),
    "absl": ([
        "absl_base",
        "absl_cleanup",
        "absl_flat_hash_map",
        "absl_flags",
        "absl_flags_parse",
        "absl_hash",
        "absl_random_random",
        "absl_status",
        "absl_statusor",
        "absl_str_format",
        "absl_strings",
        "absl_synchronization",
        "absl_time",
    ], []),
    "gtest": (["gtest"], ["-lgtest", "-lpthread"]),
    "gtest_main": (["gtest_main"], ["-lgtest_main", "-lgtest", "-lpthread"]),
    "gmock": (["gmock"], ["-lgmock", "-lgtest", "-lpthread"]),
    "benchmark": (["benchmark"], ["-lbenchmark", "-lpthread"]),
    "benchmark_main": (["benchmark_main"], ["-lbenchmark_main", "-lbenchmark", "-lpthread"]),
}

def _pkg_config_libs(ctx, modules, fallback):
    result = ctx.execute(["pkg-config", "--libs"] + modules)
    if result.return_code != 0:
        if fallback:
            return fallback
        fail("pkg-config --libs %s failed: %s\nRun tools/bootstrap.sh to install the build dependencies." %
             (" ".join(modules), result.stderr))
    flags = []
    for flag in result.stdout.strip().split(" "):
        # Keep the first occurrence of each -l; repeats only slow the linker.
        if flag and (flag not in flags or not flag.startswith("-l")):
            flags.append(flag)
    return flags

def _system_libs_impl(ctx):
    build = ['package(default_visibility = ["//visibility:public"])\n']
    for name, (modules, fallback) in _LIBS.items():
        flags = _pkg_config_libs(ctx, modules, fallback)
        build.append("cc_library(\n    name = %r,\n    linkopts = %r,\n)\n" % (name, flags))
    ctx.file("WORKSPACE", 'workspace(name = "system_libs")\n')
    ctx.file("BUILD.bazel", "\n".join(build))

system_libs = repository_rule(
    implementation = _system_libs_impl,
    environ = ["PKG_CONFIG_PATH"],
    local = True,
)
