#!/usr/bin/env bash
# Stage 10: v5's weights (fresh Adam), vartrack-path drawn 4 in 9, suffix mask 0.5, a lower lr (1e-4) held to step 1,500, cosine to 2e-5 at 2,000.
# Stage 9's held-out vartrack-path plateaued at 90.6% from step 1,400 at lr 2e-4; this stage asks whether a smaller step refines it.
R=/work/runs/issue18/run-82b0cac.sh; out=/work/runs/issue18/path/s10
mkdir -p /work/runs/issue18/path
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps ${1:-2000} --checkpoint-every 50 --eval-every 200 --eval-n 32 >> $out.log 2>&1
else
  $R --out $out --init-from models/maskkv-tiny --steps ${1:-2000} --seed 701 \
    --task needle,multikey,multikey,multivalue,vartrack-path,vartrack-path,vartrack-path,vartrack-path,count --length 1024 --queries 4 \
    --answer-slots 8 --batch 8 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 1e-4 --warmup 50 \
    --decay-from 1500 --decay-to 2000 --min-lr 2e-5 --suffix-mask 0.5 --checkpoint-every 50 --eval-every 200 --eval-n 32 > $out.log 2>&1
fi
