"""The Python half of the front end, complete: statements, assignment, control flow.

A script's statements are walked, never executed: branches whose condition is known are
followed, loops over known items are unrolled within a step budget, and code behind an
unknown condition makes what it assigns or changes unknown. Nothing here imports or runs
the libraries a script uses; the values of the library it builds with are the
``Library``'s (see library.py).
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any

from archlint.codes import UNRESOLVED_VALUE as UNRESOLVED_INFO
from archlint.diagnostics import Event
from archlint.frontend.calls import CallEvaluator
from archlint.frontend.code_walks import (
    dataclass_fields,
    grown_only,
    is_dataclass_decorator,
    jumps,
    touched_names,
)
from archlint.frontend.folding import FOLD_ERRORS, free_frames
from archlint.frontend.scope import (
    FRAMES_PER_LEVEL,
    INERT_LOOP_STEPS,
    PROBE_PASSES,
    Break,
    Continue,
    LoopContext,
    OutOfBudget,
    Return,
    Scope,
    line_of,
    span_of,
)
from archlint.frontend.values import (
    Function,
    HostScope,
    Instance,
    ModuleRef,
    RuntimeValue,
    UnknownItems,
    UserClass,
    is_plain,
    mark_open_ended,
)
from archlint.graph import Span
from archlint.unknown import Unknown


class Evaluator(CallEvaluator):
    """Walks one module: its statements, expressions and calls."""

    def run(self) -> None:
        """Walk the module's statements, within the step budget."""
        self.max_nesting = max(free_frames() // FRAMES_PER_LEVEL, 10)
        try:
            self.exec_block(self.tree.body, self.globals)
        except OutOfBudget:
            self.budget_event()
        except (Return, Break, Continue):
            pass  # a module-level raise: the script stops there

    def budget_event(self) -> None:
        line = self.tree.body[-1].lineno if self.tree.body else 1
        self.events.append(Event(UNRESOLVED_INFO, "the script is too long or loops too much "
                                 "to follow statically; analysis stopped here", Span(line)))

    # ----------------------------------------------------------------- statements
    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.tick()
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        method = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if method is None:
            return
        if self.nesting >= self.max_nesting:
            self._unknown_branches(stmt, [[stmt]], scope, "statements nested too deeply "
                                   "to follow")
            return
        self.nesting += 1
        try:
            method(stmt, scope)
        finally:
            self.nesting -= 1

    def stmt_Expr(self, stmt: ast.Expr, scope: Scope) -> None:
        self.eval(stmt.value, scope)

    def stmt_Assign(self, stmt: ast.Assign, scope: Scope) -> None:
        value = self.eval(stmt.value, scope)
        for target in stmt.targets:
            self.assign(target, value, scope, stmt.value)

    def stmt_AnnAssign(self, stmt: ast.AnnAssign, scope: Scope) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, scope), scope, stmt.value)

    def stmt_AugAssign(self, stmt: ast.AugAssign, scope: Scope) -> None:
        current = self.eval(stmt.target, scope)  # eval reads any target as a load
        value = self.binop(stmt.op, current, self.eval(stmt.value, scope), stmt)
        if isinstance(current, list) and isinstance(value, list) and \
                isinstance(stmt.op, ast.Add):
            current[:] = value  # `items += [...]` extends the list in place, like Python
            value = current
        self.assign(stmt.target, value, scope)

    def stmt_Import(self, stmt: ast.Import, scope: Scope) -> None:
        for alias in stmt.names:
            if alias.asname:
                scope.store(alias.asname, ModuleRef(alias.name))
            else:
                top = alias.name.split(".")[0]
                scope.store(top, ModuleRef(top))

    def stmt_ImportFrom(self, stmt: ast.ImportFrom, scope: Scope) -> None:
        module = "." * stmt.level + (stmt.module or "")
        for alias in stmt.names:
            if alias.name == "*":
                self._star_import(module, scope)
                continue
            scope.store(alias.asname or alias.name, ModuleRef(f"{module}.{alias.name}"))

    def _star_import(self, module: str, scope: Scope) -> None:
        names = self.library.star_names(module)
        if names is None:
            self.star_imports.append(module)
            return
        for name in names:
            scope.vars.setdefault(name, ModuleRef(f"{module}.{name}"))

    def stmt_FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef,
                         scope: Scope) -> None:
        self._mark_captured(stmt, scope)
        function = Function(stmt, scope, stmt.name)
        function.defaults = self._defaults(stmt.args, scope)
        scope.store(stmt.name, function)
        if scope is self.globals:
            self.functions.append(function)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def stmt_ClassDef(self, stmt: ast.ClassDef, scope: Scope) -> None:
        library_base = self._library_base(stmt, scope)
        has_call = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and n.name == "call" for n in stmt.body)
        cls = UserClass(stmt.name, span_of(stmt), library_base, has_call)
        cls.bases = [base for base in (self.eval(b, scope) for b in stmt.bases)
                     if isinstance(base, UserClass)]
        cls.library_class = self._library_class(stmt, scope) if library_base else None
        body_scope = Scope(scope)
        self.exec_block(stmt.body, body_scope)
        cls.attributes = body_scope.vars
        for value in body_scope.vars.values():
            if isinstance(value, Function) and value.scope is body_scope:
                value.owner = cls
                value.scope = scope  # a method's names skip the class body, as in Python
        if library_base is not None:
            self.library.class_defined(cls, stmt)
        elif any(is_dataclass_decorator(d) for d in stmt.decorator_list):
            cls.dataclass_fields = dataclass_fields(stmt, body_scope)
        scope.store(stmt.name, cls)

    def _library_base(self, stmt: ast.ClassDef, scope: Scope) -> str | None:
        """What the class is to the library ("model", "layer") when it derives from one
        of the library's classes, directly or through another class of the script."""
        for base in stmt.bases:
            value = self.eval(base, scope)
            if isinstance(value, UserClass) and value.keras_base:
                return value.keras_base
            if isinstance(value, ModuleRef):
                kind = self.library.class_base(value)
                if kind is not None:
                    return kind
        return None

    def _library_class(self, stmt: ast.ClassDef, scope: Scope) -> str | None:
        """The path of the first library class among the bases, directly or through a
        class of the script."""
        for base in stmt.bases:
            value = self.eval(base, scope)
            if isinstance(value, UserClass) and value.library_class:
                return value.library_class
            if isinstance(value, ModuleRef) and self.library.class_base(value) is not None:
                return value.path
        return None

    def stmt_Global(self, stmt: ast.Global, scope: Scope) -> None:
        scope.global_names.update(stmt.names)

    def stmt_Nonlocal(self, stmt: ast.Nonlocal, scope: Scope) -> None:
        scope.nonlocal_names.update(stmt.names)

    def stmt_Return(self, stmt: ast.Return, scope: Scope) -> None:
        value = self.eval(stmt.value, scope) if stmt.value is not None else None
        self.library.passed_on(value)  # a layer handed back to the caller is the caller's to use
        raise Return(value)

    def stmt_If(self, stmt: ast.If, scope: Scope) -> None:
        test = self.truth(self.eval(stmt.test, scope))
        if isinstance(test, Unknown):
            self._unknown_branches(stmt, [stmt.body, stmt.orelse], scope,
                                   f"the condition `{self.text(stmt.test)}` (line "
                                   f"{stmt.lineno})")
        elif test:
            self.exec_block(stmt.body, scope)
        else:
            self.exec_block(stmt.orelse, scope)

    def stmt_For(self, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
        items = self.iterate(self.eval(stmt.iter, scope), stmt.iter)
        if isinstance(items, Unknown):
            self.assign(stmt.target, items, scope)
            self._unknown_branches(stmt, [stmt.body], scope,
                                   f"the loop over `{self.text(stmt.iter)}` (line "
                                   f"{stmt.lineno})")
            return
        built, start = self.library.progress(), self.steps
        with self._loop(stmt):
            for index, item in enumerate(items):
                if index == PROBE_PASSES and self.library.progress() == built and \
                        (self.steps - start) * (len(items) - index) > INERT_LOOP_STEPS * index:
                    self._skip_inert_passes(stmt, scope, f"the loop over `"
                                            f"{self.text(stmt.iter)}` (line {stmt.lineno})")
                    return
                self.tick()
                self.assign(stmt.target, item, scope)
                try:
                    self.exec_block(stmt.body, scope)
                except Break:
                    return
                except Continue:
                    continue
        self.exec_block(stmt.orelse, scope)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, stmt: ast.While, scope: Scope) -> None:
        built, start, passes = self.library.progress(), self.steps, 0
        with self._loop(stmt):
            while True:
                passes += 1
                if passes > PROBE_PASSES and self.library.progress() == built and \
                        self.steps - start > INERT_LOOP_STEPS:
                    self._skip_inert_passes(stmt, scope, f"the loop `while "
                                            f"{self.text(stmt.test)}` (line {stmt.lineno})")
                    return
                self.tick()
                test = self.truth(self.eval(stmt.test, scope))
                if isinstance(test, Unknown):
                    self._unknown_branches(stmt, [stmt.body], scope,
                                           f"the loop condition `{self.text(stmt.test)}` "
                                           f"(line {stmt.lineno})")
                    return
                if not test:
                    break
                try:
                    self.exec_block(stmt.body, scope)
                except Break:
                    return
                except Continue:
                    continue
        self.exec_block(stmt.orelse, scope)

    def _skip_inert_passes(self, stmt: ast.For | ast.AsyncFor | ast.While, scope: Scope,
                           loop: str) -> None:
        """A long loop whose first passes built nothing (a training or data loop) is not
        unrolled further: what its remaining passes change is unknown."""
        why = f"the remaining passes of {loop}, which builds no layer"
        if not isinstance(stmt, ast.While):
            self.assign(stmt.target, Unknown(f"it depends on {why}", stmt.lineno), scope)
        self._unknown_branches(stmt, [stmt.body, stmt.orelse], scope, why)

    def _loop(self, stmt: ast.For | ast.AsyncFor | ast.While) -> LoopContext:
        return LoopContext(self.frames[-1].loops, stmt)

    def stmt_With(self, stmt: ast.With | ast.AsyncWith, scope: Scope) -> None:
        entered_scopes: list[HostScope] = []
        try:
            for item in stmt.items:
                value = self.eval(item.context_expr, scope)
                if isinstance(value, HostScope):
                    value.enter()
                    entered_scopes.append(value)
                if item.optional_vars is not None:
                    entered = value if isinstance(value, Unknown) else RuntimeValue.of(
                        self.text(item.context_expr), stmt.lineno)
                    self.assign(item.optional_vars, entered, scope)
            self.exec_block(stmt.body, scope)
        finally:
            for entered_scope in reversed(entered_scopes):
                entered_scope.exit()

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, stmt: ast.Try, scope: Scope) -> None:
        # The body is what runs when nothing fails; handlers are not followed.
        self.exec_block(stmt.body, scope)
        self.exec_block(stmt.orelse, scope)
        self.exec_block(stmt.finalbody, scope)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, stmt: ast.Match, scope: Scope) -> None:
        subject = self.eval(stmt.subject, scope)
        for case in stmt.cases:
            matched = self._matches(case.pattern, subject, scope)
            if matched is True and case.guard is not None:
                matched = self.truth(self.eval(case.guard, scope))
            if isinstance(matched, Unknown):
                self._unknown_branches(stmt, [c.body for c in stmt.cases], scope,
                                       f"the match on `{self.text(stmt.subject)}` (line "
                                       f"{stmt.lineno})")
                return
            if matched:
                self.exec_block(case.body, scope)
                return

    def _matches(self, pattern: ast.pattern, subject: Any, scope: Scope) -> Any:
        """True, False, or Unknown when the match cannot be decided statically."""
        if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
            if pattern.name is not None:
                scope.store(pattern.name, subject)
            return True
        if isinstance(pattern, ast.MatchOr):
            for option in pattern.patterns:
                matched = self._matches(option, subject, scope)
                if matched is not False:
                    return matched
            return False
        if isinstance(subject, Unknown) or not is_plain(subject):
            return subject if isinstance(subject, Unknown) else Unknown(
                "the match subject is not known statically")
        if isinstance(pattern, ast.MatchValue):
            value = self.eval(pattern.value, scope)
            return value if isinstance(value, Unknown) else subject == value
        if isinstance(pattern, ast.MatchSingleton):
            return subject is pattern.value
        return Unknown("this match pattern is not followed statically", line_of(pattern))

    def stmt_Break(self, stmt: ast.Break, scope: Scope) -> None:
        raise Break()

    def stmt_Continue(self, stmt: ast.Continue, scope: Scope) -> None:
        raise Continue()

    def stmt_Raise(self, stmt: ast.Raise, scope: Scope) -> None:
        raise Return(Unknown("the script raises an exception here", stmt.lineno))

    def stmt_Delete(self, stmt: ast.Delete, scope: Scope) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                scope.target_of(target.id).vars.pop(target.id, None)

    def _unknown_branches(self, stmt: ast.stmt, bodies: list[list[ast.stmt]], scope: Scope,
                          why: str) -> None:
        """Code behind an unknown condition is not followed: every variable it assigns,
        and every object it calls a method on, becomes unknown. A `return` there makes the
        function's result unknown; a `break` or `continue` makes the rest of the loop so."""
        unknown = Unknown(f"it depends on {why}, unknown statically", stmt.lineno)
        self._forget(bodies, scope, unknown, why)
        exits = self._cached(jumps, bodies)
        frame = self.frames[-1]
        if "return" in exits and len(self.frames) > 1 and frame.uncertain_return is None:
            frame.uncertain_return = unknown
        if exits & {"break", "continue"} and frame.loops:
            self._forget([[frame.loops[-1]]], scope, unknown)
            raise Break()

    def _forget(self, bodies: list[list[ast.stmt]], scope: Scope, unknown: Unknown,
                why: str = "code not followed") -> None:
        assigned, mutated, attributes = self._cached(touched_names, bodies,
                                                     self.changing_methods)
        grown = self._cached(grown_only, bodies, self.changing_methods)
        if attributes:
            self.library.attributes_unknown(attributes, unknown)
        for name in assigned:
            scope.store(name, unknown)
        for name in mutated - assigned:
            try:
                current = scope.lookup(name)
            except KeyError:
                continue
            if isinstance(current, self.library_types) and self.library.forget(current, unknown):
                continue
            if isinstance(current, (list, set, dict)) and name in grown:
                # Only added to: the items it had stay, how many more is unknown (never
                # the count of one imagined pass over the data).
                mark_open_ended(current, UnknownItems(
                    f"the items of `{name}` depend on {why}, unknown statically"))
            elif isinstance(current, (list, set, dict)):
                scope.store(name, unknown)

    # ----------------------------------------------------------------- assignment
    def assign(self, target: ast.expr, value: Any, scope: Scope,
               value_node: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, RuntimeValue) and value_node is not None:
                value = value.bound_to(target.id, self.text(value_node))
            scope.store(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value, scope)
        elif isinstance(target, ast.Subscript):
            self._assign_item(target, value, scope)
        elif isinstance(target, ast.Attribute):
            self._assign_attribute(target, value, scope)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)

    def _assign_item(self, target: ast.Subscript, value: Any, scope: Scope) -> None:
        container = self.eval(target.value, scope)
        key = self.eval(target.slice, scope)
        if not isinstance(container, (list, dict)):
            return
        if isinstance(key, Unknown):
            if isinstance(container, list):
                container.append(key)  # some item changed, which one is unknown
            return
        with contextlib.suppress(*FOLD_ERRORS):  # else the script would fail here
            container[key] = value

    def _assign_attribute(self, target: ast.Attribute, value: Any, scope: Scope) -> None:
        """``self.units = 8`` on an instance of a plain class; other owners (layers,
        modules, unknown values) are the library's to judge."""
        owner = self.eval(target.value, scope)
        if isinstance(owner, Instance) or (isinstance(owner, UserClass)
                                           and owner.keras_base is None):
            owner.attributes[target.attr] = value
        else:
            self.library.set_attribute(owner, target.attr, value, target)

    def _unpack(self, target: ast.Tuple | ast.List, value: Any, scope: Scope) -> None:
        items = self.iterate(value, target)
        elts = target.elts
        if isinstance(items, Unknown):
            for elt in elts:
                self.assign(elt, items, scope)
            return
        star = next((i for i, e in enumerate(elts) if isinstance(e, ast.Starred)), None)
        if star is None:
            if len(items) != len(elts):
                unknown = Unknown(f"cannot unpack {len(items)} values into {len(elts)} names",
                                  target.lineno)
                for elt in elts:
                    self.assign(elt, unknown, scope)
                return
            for elt, item in zip(elts, items):
                self.assign(elt, item, scope)
            return
        after = len(elts) - star - 1
        for elt, item in zip(elts[:star], items[:star]):
            self.assign(elt, item, scope)
        self.assign(elts[star], list(items[star:len(items) - after]), scope)
        for elt, item in zip(elts[star + 1:], items[len(items) - after:]):
            self.assign(elt, item, scope)
