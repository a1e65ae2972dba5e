"""Repositories this workspace needs, all local: call from a WORKSPACE.

A consumer workspace that pulls this repository in as `@executor_runtime`
calls the same macro:

    local_repository(name = "executor_runtime", path = "...")
    load("@executor_runtime//bazel:deps.bzl", "executor_runtime_deps")
    executor_runtime_deps()
"""

load(":stub_repos.bzl", "remote_coverage_tools_stub", "rules_cc_stub")
load(":system_libs.bzl", "system_libs")

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def executor_runtime_deps():
    """Declares rules_cc, rules_java, platforms, remote_coverage_tools and
    the system C++ libraries, each unless the caller already declared it."""
    _maybe(rules_cc_stub, "rules_cc")
    _maybe(native.local_repository, "rules_java", path = "/usr/share/bazel/rules/java")
    _maybe(native.local_repository, "platforms", path = "/usr/share/bazel/platforms")
    _maybe(remote_coverage_tools_stub, "remote_coverage_tools")
    _maybe(system_libs, "system_libs")
