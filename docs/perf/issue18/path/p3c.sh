#!/usr/bin/env bash
# p3 continued with --suffix-mask 0.5 (half the sequences mask their answer as a tail, as semi-autoregressive
# decoding meets it), lr 3e-4, cosine 2,300 -> 2,800 to 5e-5, same mix; frozen app a8a8a27 (has --suffix-mask).
R=/work/runs/issue18/run-a8a8a27.sh; out=/work/runs/issue18/path/p3
$R --out $out --resume $out/checkpoint --steps 2800 --lr 3e-4 --decay-from 2300 --decay-to 2800 --suffix-mask 0.5 \
  --checkpoint-every 50 --eval-every 200 --eval-n 32 >> $out.log 2>&1
