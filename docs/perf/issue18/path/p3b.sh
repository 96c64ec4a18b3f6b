#!/usr/bin/env bash
# p3 continued from its step-500 checkpoint at a constant lr 3e-4 (its cosine moved out to 3,000-3,500), same mix.
R=/work/runs/issue18/run-089b9d2.sh; out=/work/runs/issue18/path/p3
$R --out $out --resume $out/checkpoint --steps 3500 --lr 3e-4 --decay-from 3000 --decay-to 3500 \
  --checkpoint-every 50 --eval-every 200 --eval-n 32 >> $out.log 2>&1
