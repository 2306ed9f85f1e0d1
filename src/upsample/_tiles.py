"""Register tiles: the multiply-add core of the compiled convolutions.

A tile is an ``R x V`` block of SIMD accumulators (R rows of V vectors of ``LANES``
values) that lives in registers for a whole contraction and is written out once:

    acc[r, v*LANES:(v+1)*LANES] = init + sum_k a[k, r] * b[k, v*LANES:(v+1)*LANES]

Each step loads V vectors of ``b``, broadcasts R scalars of ``a`` and issues ``R * V``
fused multiply-adds, so with R*V = 24 the loads are a small fraction of the work and
the loop runs near the multiply-add peak. Two ways to address the operands cover
every correlation in :mod:`upsample._direct`:

* ``tile_gather``: ``b``'s row ``k`` is the source at ``sbase + offs[k]`` (a kernel tap of a
  flattened, padded plane: no im2col), ``a`` is a packed (K, R) weight block. The
  forward correlation and every phase of its adjoint.
* ``tile_stream``: ``a``'s row ``r`` is the source at ``sbase + soffs[r] + k`` (R kernel taps
  walking along a row), ``b`` is a packed (K, ldb) block of the cotangent. The weight
  gradient.

The tiles are LLVM IR emitted through Numba's ``intrinsic``: plain vector types and
``llvm.fma``, which LLVM lowers to the host's widest vector instructions (AVX-512 on
this project's machines, two AVX2 halves elsewhere). This module imports Numba; nothing
imports it until the first compiled convolution.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic

__all__ = [
    "SLACK",
    "VECTOR_BYTES",
    "lanes",
    "tile_dot",
    "tile_gather",
    "tile_stream",
]

#: Bytes per SIMD vector the tiles are written for (one AVX-512 register).
VECTOR_BYTES = 64

#: Elements after a band buffer: a tile cut by the end of a row reads up to a whole tile
#: width past it (into values it discards), never past the buffer.
SLACK = 256


def lanes(itemsize: int) -> int:
    """Values per vector: 16 float32 or 8 float64."""
    return VECTOR_BYTES // itemsize


_I64 = ir.IntType(64)


def _literal(typ, name: str) -> int:
    if not isinstance(typ, types.IntegerLiteral):
        raise TypingError(f"tile: {name} must be a compile-time integer (numba.literally)")
    return typ.literal_value


def _data(context, builder, typ, value):
    """The data pointer of a Numba array value."""
    return cgutils.create_struct_proxy(typ)(context, builder, value=value).data


def _row_starts(context, builder, src, src_v, sbase, soffs, soffs_v, sfirst, rows: int):
    """Pointers to ``src[sbase + soffs[sfirst + r]]`` for r < rows: the source rows the R
    rows of a tile walk along."""
    source = builder.gep(_data(context, builder, src, src_v), [sbase])
    offsets = builder.gep(_data(context, builder, soffs, soffs_v), [sfirst])
    return [
        builder.gep(source, [builder.load(builder.gep(offsets, [ir.Constant(_I64, r)]))]) for r in range(rows)
    ]


class _Tile:
    """Emits one tile: the accumulators, the loop over steps, the stores.

    ``step(builder, k)`` returns, for each of the R x V accumulators, the two vectors it
    multiplies at step ``k`` (:meth:`outer` builds them for the broadcast forms);
    everything else is shared by every addressing form."""

    def __init__(self, context, builder, dtype, rows: int, vectors: int):
        self.builder = builder
        self.scalar = context.get_value_type(dtype)
        self.count = lanes(context.get_abi_sizeof(self.scalar))
        self.vector = ir.VectorType(self.scalar, self.count)
        self.rows, self.vectors = rows, vectors
        self.align = context.get_abi_sizeof(self.scalar)  # any alignment: unaligned loads
        suffix = f"v{self.count}f{self.align * 8}"
        self.fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(self.vector, [self.vector] * 3), f"llvm.fma.{suffix}"
        )

    def load_vector(self, pointer, index):
        """``count`` values from ``pointer[index]`` on, at any alignment."""
        at = self.builder.gep(pointer, [index])
        return self.builder.load(self.builder.bitcast(at, self.vector.as_pointer()), align=self.align)

    def broadcast(self, value):
        b = self.builder
        one = b.insert_element(ir.Constant(self.vector, ir.Undefined), value, ir.Constant(ir.IntType(32), 0))
        mask = ir.Constant(ir.VectorType(ir.IntType(32), self.count), [0] * self.count)
        return b.shuffle_vector(one, ir.Constant(self.vector, ir.Undefined), mask)

    def outer(self, scalars, vectors):
        """The operands of an outer-product step: R broadcast scalars times V vectors."""
        rows = [self.broadcast(a) for a in scalars]
        return [[(a, v) for v in vectors] for a in rows]

    def targets(self, out, obase, ostride):
        """Pointers to the R x V output vectors: row r at ``obase + r*ostride``."""
        b = self.builder
        base = b.gep(out, [obase])
        rows = [b.gep(base, [b.mul(ostride, ir.Constant(_I64, r))]) for r in range(self.rows)]
        return [
            [
                b.bitcast(b.gep(row, [ir.Constant(_I64, v * self.count)]), self.vector.as_pointer())
                for v in range(self.vectors)
            ]
            for row in rows
        ]

    def emit(self, steps, step, out, obase, ostride, accumulate):
        """The whole tile: start from zero (or the output, when ``accumulate``), run
        ``steps`` steps, store."""
        b = self.builder
        target = self.targets(out, obase, ostride)
        zero = ir.Constant(self.vector, [0.0] * self.count)
        start = b.block
        load = b.append_basic_block("tile.load")
        ready = b.append_basic_block("tile.ready")
        loop = b.append_basic_block("tile.loop")
        done = b.append_basic_block("tile.done")
        b.cbranch(b.icmp_signed("!=", accumulate, ir.Constant(accumulate.type, 0)), load, ready)
        b.position_at_end(load)
        loaded = [[b.load(p, align=self.align) for p in row] for row in target]
        b.branch(ready)
        b.position_at_end(ready)
        initial = []
        for r in range(self.rows):
            row = []
            for v in range(self.vectors):
                phi = b.phi(self.vector)
                phi.add_incoming(zero, start)
                phi.add_incoming(loaded[r][v], load)
                row.append(phi)
            initial.append(row)
        b.cbranch(b.icmp_signed(">", steps, ir.Constant(_I64, 0)), loop, done)
        # the loop: accumulators are phi nodes, so they stay in registers
        b.position_at_end(loop)
        k = b.phi(_I64)
        k.add_incoming(ir.Constant(_I64, 0), ready)
        acc = []
        for r in range(self.rows):
            row = []
            for v in range(self.vectors):
                phi = b.phi(self.vector)
                phi.add_incoming(initial[r][v], ready)
                row.append(phi)
            acc.append(row)
        operands = step(b, k)
        new = [
            [b.call(self.fma, [*operands[r][v], acc[r][v]]) for v in range(self.vectors)]
            for r in range(self.rows)
        ]
        after = b.add(k, ir.Constant(_I64, 1))
        k.add_incoming(after, b.block)
        for r in range(self.rows):
            for v in range(self.vectors):
                acc[r][v].add_incoming(new[r][v], b.block)
        loop_end = b.block
        b.cbranch(b.icmp_signed("<", after, steps), loop, done)
        b.position_at_end(done)
        final = []
        for r in range(self.rows):
            for v in range(self.vectors):
                phi = b.phi(self.vector)
                phi.add_incoming(initial[r][v], ready)
                phi.add_incoming(new[r][v], loop_end)
                final.append((phi, target[r][v]))
        for value, pointer in final:
            b.store(value, pointer, align=self.align)


@intrinsic
def tile_gather(
    typingctx, src, sbase, offs, kfirst, steps, wp, wbase, out, obase, ostride, accumulate, rows, vectors
):
    """acc[r, v] (+)= sum_k wp[wbase + k*R + r] * src[sbase + offs[kfirst + k] + v*LANES + :LANES],
    stored at ``out[obase + r*ostride + v*LANES:]``."""
    R, V = _literal(rows, "rows"), _literal(vectors, "vectors")
    sig = types.void(
        src, sbase, offs, kfirst, steps, wp, wbase, out, obase, ostride, accumulate, rows, vectors
    )

    def codegen(context, builder, signature, args):
        (
            src_v,
            sbase_v,
            offs_v,
            kfirst_v,
            steps_v,
            wp_v,
            wbase_v,
            out_v,
            obase_v,
            ostride_v,
            accumulate_v,
            _,
            _,
        ) = args
        tile = _Tile(context, builder, src.dtype, R, V)
        source = builder.gep(_data(context, builder, src, src_v), [sbase_v])
        offsets = builder.gep(_data(context, builder, offs, offs_v), [kfirst_v])
        weights = builder.gep(_data(context, builder, wp, wp_v), [wbase_v])
        out_p = _data(context, builder, out, out_v)

        def step(b, k):
            row = b.gep(source, [b.load(b.gep(offsets, [k]))])
            vectors_ = [tile.load_vector(row, ir.Constant(_I64, v * tile.count)) for v in range(V)]
            w = b.gep(weights, [b.mul(k, ir.Constant(_I64, R))])
            scalars = [b.load(b.gep(w, [ir.Constant(_I64, r)])) for r in range(R)]
            return tile.outer(scalars, vectors_)

        tile.emit(steps_v, step, out_p, obase_v, ostride_v, accumulate_v)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def tile_stream(
    typingctx,
    src,
    sbase,
    soffs,
    sfirst,
    steps,
    bp,
    bbase,
    ldb,
    out,
    obase,
    ostride,
    accumulate,
    rows,
    vectors,
):
    """acc[r, v] (+)= sum_k src[sbase + soffs[sfirst + r] + k] * bp[bbase + k*ldb + v*LANES + :LANES],
    stored at ``out[obase + r*ostride + v*LANES:]``."""
    R, V = _literal(rows, "rows"), _literal(vectors, "vectors")
    sig = types.void(
        src, sbase, soffs, sfirst, steps, bp, bbase, ldb, out, obase, ostride, accumulate, rows, vectors
    )

    def codegen(context, builder, signature, args):
        (
            src_v,
            sbase_v,
            soffs_v,
            sfirst_v,
            steps_v,
            bp_v,
            bbase_v,
            ldb_v,
            out_v,
            obase_v,
            ostride_v,
            accumulate_v,
            _,
            _,
        ) = args
        tile = _Tile(context, builder, src.dtype, R, V)
        starts = _row_starts(context, builder, src, src_v, sbase_v, soffs, soffs_v, sfirst_v, R)
        block = builder.gep(_data(context, builder, bp, bp_v), [bbase_v])
        out_p = _data(context, builder, out, out_v)

        def step(b, k):
            scalars = [b.load(b.gep(start, [k])) for start in starts]
            row = b.gep(block, [b.mul(k, ldb_v)])
            vectors_ = [tile.load_vector(row, ir.Constant(_I64, v * tile.count)) for v in range(V)]
            return tile.outer(scalars, vectors_)

        tile.emit(steps_v, step, out_p, obase_v, ostride_v, accumulate_v)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def tile_dot(typingctx, src, sbase, soffs, sfirst, steps, bp, bbase, out, obase, accumulate, rows):
    """acc[r] (+)= sum_k src[sbase + soffs[sfirst + r] + k*LANES + :LANES] * bp[bbase + k*LANES + :LANES],
    the lane-wise partial dot products of R shifted source rows with one row of ``bp``,
    stored at ``out[obase + r*LANES:]`` (the caller adds up the lanes). The weight
    gradient of groups too thin for :func:`tile_stream` (depthwise)."""
    R = _literal(rows, "rows")
    sig = types.void(src, sbase, soffs, sfirst, steps, bp, bbase, out, obase, accumulate, rows)

    def codegen(context, builder, signature, args):
        (src_v, sbase_v, soffs_v, sfirst_v, steps_v, bp_v, bbase_v, out_v, obase_v, accumulate_v, _) = args
        tile = _Tile(context, builder, src.dtype, R, 1)
        starts = _row_starts(context, builder, src, src_v, sbase_v, soffs, soffs_v, sfirst_v, R)
        row = builder.gep(_data(context, builder, bp, bp_v), [bbase_v])
        out_p = _data(context, builder, out, out_v)
        width = ir.Constant(_I64, tile.count)

        def step(b, k):
            at = b.mul(k, width)
            other = tile.load_vector(row, at)
            return [[(tile.load_vector(start, at), other)] for start in starts]

        tile.emit(steps_v, step, out_p, obase_v, width, accumulate_v)
        return context.get_dummy_value()

    return sig, codegen
